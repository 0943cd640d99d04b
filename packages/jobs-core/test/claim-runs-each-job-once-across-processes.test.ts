import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

const fixture = fileURLToPath(new URL('./fixtures/drain-worker.ts', import.meta.url))
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('claim_processes')
})
afterAll(() => db?.drop())

function runChild(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, db.url, 'nightshift'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

test('4 processes drain 2,000 jobs together and every job runs exactly once', async () => {
  const recordRun = defineJob({ name: 'record-run', input: z.object({ n: z.number() }), run: () => {} })
  const jobs = createJobs({ db: db.url, jobs: [recordRun] })
  await jobs.migrate()
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    await client.query('create table runs (job_id bigint not null, pid int not null)')
    const items = Array.from({ length: 2000 }, (_, n) => ({ name: 'record-run' as const, input: { n } }))
    await jobs.enqueueMany(items)

    const results = await Promise.all([runChild(), runChild(), runChild(), runChild()])
    for (const result of results) expect(result.code, result.stderr).toBe(0)

    const runs = await client.query<{ total: number; distinct: number; pids: number }>(
      'select count(*)::int as total, count(distinct job_id)::int as distinct, count(distinct pid)::int as pids from runs',
    )
    expect(runs.rows[0]).toMatchObject({ total: 2000, distinct: 2000 })
    // More than one process took part (each reports what it completed).
    const completed = results.map(
      (result) => JSON.parse(result.stdout.trim().split('\n').pop() as string).completed,
    )
    expect(completed.reduce((a: number, b: number) => a + b, 0)).toBe(2000)
    expect(runs.rows[0]?.pids).toBeGreaterThan(1)
    const statuses = await client.query(
      `select status, count(*)::int as n, max(attempts) as max_attempts from nightshift.jobs group by status`,
    )
    expect(statuses.rows).toEqual([{ status: 'completed', n: 2000, max_attempts: 1 }])
  } finally {
    await client.end()
    await jobs.close()
  }
})
