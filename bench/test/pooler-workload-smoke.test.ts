import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, expect, test } from 'vitest'
import { ensurePackagesBuilt } from '../../test-support/deno-function.js'
import { pgbouncerMissing } from '../../test-support/start-pgbouncer.js'
import { adminDatabaseUrl } from '../../test-support/test-database.js'

const directory = mkdtempSync(join(tmpdir(), 'bench-pooler-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

// Keeps the opt-in pooler workload working; its figures are never asserted.
test.skipIf(pgbouncerMissing())(
  'the pooler workload drains through PgBouncer with Deno and pg-boss',
  async () => {
    ensurePackagesBuilt()
    const out = join(directory, 'pooler.json')
    await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('../src/run-bench.ts', import.meta.url)),
        '--smoke',
        '--workloads',
        'pooler',
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
    expect(measurements.map((m) => `${m.library}: ${m.workload}`).sort()).toEqual([
      'nightshift: drain behind PgBouncer',
      'pg-boss: drain behind PgBouncer',
    ])
    for (const measurement of measurements) expect(measurement.value).toBeGreaterThan(0)
  },
  180_000,
)
