import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, expect, test } from 'vitest'
import { adminDatabaseUrl } from '../../test-support/test-database.js'

const directory = mkdtempSync(join(tmpdir(), 'bench-smoke-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

interface Measurement {
  library: string
  workload: string
  value: number
}

// Keeps the benchmark working; its figures are never asserted (the machines are noisy).
test('the smoke benchmark produces a figure for every library and workload', async () => {
  const out = join(directory, 'smoke.json')
  await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('../src/run-bench.ts', import.meta.url)),
      '--smoke',
      '--out',
      out,
    ],
    {
      // The producer, like the workers, loads @nightshift/jobs-core's build (no tsconfig paths).
      env: {
        ...process.env,
        DATABASE_URL: adminDatabaseUrl(),
        TSX_TSCONFIG_PATH: fileURLToPath(new URL('../tsconfig.worker.json', import.meta.url)),
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  )
  const { measurements, table } = JSON.parse(readFileSync(out, 'utf8')) as {
    measurements: Measurement[]
    table: string
  }
  // Each throughput setting comes with its costs per job (worker and server CPU, WAL, commits).
  const perSetting = (setting: string) =>
    [
      'throughput',
      'peak RSS',
      'worker CPU per job',
      'PostgreSQL CPU per job',
      'WAL per job',
      'commits per 1,000 jobs',
    ].map((figure) => `${figure} ${setting}`)
  const shared = [
    'bulk enqueue',
    'single enqueue',
    ...perSetting('comparable'),
    ...perSetting('best'),
    'latency p50',
    'latency p95',
    'latency p99',
    'backlog none',
    'backlog stale',
    'backlog fresh',
    'backlog stale ÷ none',
  ]
  const expected = [
    ...['nightshift', 'graphile-worker', 'pg-boss'].flatMap((library) =>
      shared.map((workload) => `${library}: ${workload}`),
    ),
    ...perSetting('strict').map((workload) => `nightshift: ${workload}`),
    'nightshift: drain in-process',
    'nightshift: drain over HTTP',
    'nightshift: HTTP cost per job',
  ]
  const produced = measurements.map((measurement) => `${measurement.library}: ${measurement.workload}`)
  expect(produced.sort()).toEqual(expected.sort())
  for (const measurement of measurements)
    expect(Number.isFinite(measurement.value), produced.join()).toBe(true)
  expect(table).toContain('nightshift ÷ graphile-worker')
}, 180_000)
