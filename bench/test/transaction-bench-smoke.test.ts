import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, expect, test } from 'vitest'
import { adminDatabaseUrl } from '../../test-support/test-database.js'

const directory = mkdtempSync(join(tmpdir(), 'bench-transaction-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

// The transaction workload is not in the default set the main smoke test runs: keep it working here.
// Its figures are never asserted (the machines are noisy); the workload itself checks that every job
// wrote its one row.
test('the transaction workload produces its three figures', async () => {
  const out = join(directory, 'transaction.json')
  await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('../src/run-bench.ts', import.meta.url)),
      '--smoke',
      '--only',
      'nightshift',
      '--workloads',
      'transaction',
      '--out',
      out,
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: adminDatabaseUrl(),
        TSX_TSCONFIG_PATH: fileURLToPath(new URL('../tsconfig.worker.json', import.meta.url)),
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  )
  const { measurements } = JSON.parse(readFileSync(out, 'utf8')) as {
    measurements: { library: string; workload: string; value: number }[]
  }
  expect(measurements.map((measurement) => measurement.workload).sort()).toEqual([
    'insert-one ctx.transaction',
    'insert-one plain',
    'insert-one transaction ÷ plain',
  ])
  for (const measurement of measurements) expect(measurement.value).toBeGreaterThan(0)
}, 180_000)
