import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

const fixture = fileURLToPath(new URL('./fixtures/tick-once.ts', import.meta.url))
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('tick_processes')
})
afterAll(() => db?.drop())

function tickInChild(now: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, db.url, now], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

test('20 processes ticking at once enqueue one job per due slot', async () => {
  const every10 = defineJob({
    name: 'every-ten-minutes',
    schedule: { cron: '*/10 * * * *', catchUp: { max: 31 } },
    run: () => {},
  })
  const jobs = createJobs({ db: db.url, jobs: [every10] })
  await jobs.migrate()
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    // The first tick starts the ledger at the latest slot and runs no history.
    const first = await jobs.tick({ now: new Date('2026-11-28T12:05:00Z') })
    expect(first).toEqual({
      enqueued: [],
      skipped: [],
      started: [{ name: 'every-ten-minutes', slot: '2026-11-28T12:00:00.000Z' }],
      failed: [],
    })

    // An hour later, 20 processes tick together: 12:10 … 13:00 are due, six slots.
    const results = await Promise.all(Array.from({ length: 20 }, () => tickInChild('2026-11-28T13:04:00Z')))
    for (const result of results) expect(result.code, result.stderr).toBe(0)
    const reports = results.map((result) => JSON.parse(result.stdout.trim().split('\n').pop() as string))
    const enqueued = reports.flatMap((report) => report.enqueued)
    expect(enqueued.map((entry) => entry.slot).sort()).toEqual([
      '2026-11-28T12:10:00.000Z',
      '2026-11-28T12:20:00.000Z',
      '2026-11-28T12:30:00.000Z',
      '2026-11-28T12:40:00.000Z',
      '2026-11-28T12:50:00.000Z',
      '2026-11-28T13:00:00.000Z',
    ])
    const rows = await client.query<{ idempotency_key: string }>(
      'select idempotency_key from nightshift.jobs order by idempotency_key',
    )
    expect(rows.rows.map((row) => row.idempotency_key)).toEqual(
      enqueued.map((entry) => `every-ten-minutes@${entry.slot}`).sort(),
    )
    const ledger = await client.query('select name, last_slot from nightshift.schedules')
    expect(ledger.rows).toEqual([{ name: 'every-ten-minutes', last_slot: new Date('2026-11-28T13:00:00Z') }])
  } finally {
    await client.end()
    await jobs.close()
  }
}, 120_000)
