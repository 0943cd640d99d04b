import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('lost_lease')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return
    await sleep(50)
  }
  throw new Error(`gave up waiting for ${what}`)
}

// After a database outage longer than the lease, another worker's reaper hands the job back and this
// same worker (same worker id) claims it again while its first run is still going. The first run must
// then be stopped, and nothing it writes may touch the second run's row.
test('a run whose lease was lost and whose job was claimed again is aborted and cannot complete, release or extend it', async () => {
  const gates = new Map<number, () => void>()
  const signals = new Map<number, AbortSignal>()
  const slow = defineJob({
    name: 'slow',
    run: async (_input, ctx) => {
      signals.set(ctx.attempt, ctx.signal)
      // Ignores its signal, as a careless handler would: it returns only when the test says so.
      await new Promise<void>((resolve) => gates.set(ctx.attempt, resolve))
      return { attempt: ctx.attempt }
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [slow], schema: 'lost_lease', leaseMs: 900 })
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  const worker = jobs.worker({ concurrency: 2, pollIntervalMs: 50, listen: false })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('slow', {})
    await until(() => signals.has(1), 'the first run to start')
    // What release-expired-leases does once the lease has run out during an outage.
    await client.query(
      `update lost_lease.jobs set status = 'pending', locked_by = null, locked_until = null where id = $1`,
      [id],
    )
    await until(() => signals.has(2), 'the same worker to claim the job again')
    // The heartbeat finds the first run no longer held and aborts it.
    await until(() => signals.get(1)?.aborted === true, 'the first run to be aborted')
    expect(signals.get(2)?.aborted).toBe(false)
    gates.get(1)?.()
    // Give the aborted run's release time to reach the database, then check it touched nothing.
    await sleep(500)
    const row = await client.query('select status, attempts, result from lost_lease.jobs where id = $1', [id])
    expect(row.rows[0]).toMatchObject({ status: 'processing', attempts: 2, result: null })
    gates.get(2)?.()
    await until(async () => (await jobs.getJob(id))?.status === 'completed', 'the second run to complete')
    expect((await jobs.getJob(id))?.result).toEqual({ attempt: 2 })
  } finally {
    for (const open of gates.values()) open()
    await worker.stop({ timeoutMs: 2000 })
    await client.end()
    await jobs.close()
  }
})
