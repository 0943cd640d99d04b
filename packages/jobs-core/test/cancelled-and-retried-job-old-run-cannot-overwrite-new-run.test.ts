import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('cancel_retry')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return
    await sleep(20)
  }
  throw new Error(`gave up waiting for ${what}`)
}

// cancel() then retry() resets attempts to 0, so the same worker's next claim writes the same attempt
// number (1) and the same worker id as the first run: a token of (id, attempts, locked_by) repeats.
// The first run must be aborted by the heartbeat and must write nothing over the new run.
test('cancel, retry and a new claim by the same worker: the old run is aborted and cannot overwrite the new run', async () => {
  const gates: (() => void)[] = []
  const signals: AbortSignal[] = []
  const attempts: number[] = []
  const slow = defineJob({
    name: 'slow',
    run: async (_input, ctx) => {
      const run = signals.length + 1
      signals.push(ctx.signal)
      attempts.push(ctx.attempt)
      // Ignores its signal, as a careless handler would: it returns only when the test says so.
      await new Promise<void>((resolve) => gates.push(resolve))
      return { run }
    },
  })
  // Heartbeat every second: long enough that cancel, retry and the new claim (polled every 20 ms)
  // all happen between two beats, as they do on a busy worker.
  const jobs = createJobs({ db: db.url, jobs: [slow], schema: 'cancel_retry', leaseMs: 3000 })
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  const worker = jobs.worker({ concurrency: 2, pollIntervalMs: 20, listen: false })
  const lease = async (id: string) =>
    (
      await client.query<{ until: string }>(
        'select locked_until::text as until from cancel_retry.jobs where id = $1',
        [id],
      )
    ).rows[0]?.until
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('slow', {})
    await until(() => signals.length === 1, 'the first run to start')
    // Right after a heartbeat (the lease moves), so the next beat comes after the new claim.
    const first = await lease(id)
    await until(async () => (await lease(id)) !== first, 'a heartbeat')
    expect(await jobs.cancel(id)).toBe(true)
    await jobs.retry(id)
    await until(() => signals.length === 2, 'the same worker to claim the job again')
    expect(attempts).toEqual([1, 1])
    // The heartbeat finds the first run's token gone and aborts it; the new run keeps going.
    await until(() => signals[0]?.aborted === true, 'the first run to be aborted')
    expect(signals[1]?.aborted).toBe(false)
    gates[0]?.()
    // Give the aborted run's writes (its hand-back) time to reach the database: they must miss.
    await sleep(300)
    const row = await client.query(
      'select status, attempts, result, locked_by from cancel_retry.jobs where id = $1',
      [id],
    )
    expect(row.rows[0]).toMatchObject({
      status: 'processing',
      attempts: 1,
      result: null,
      locked_by: worker.id,
    })
    gates[1]?.()
    await until(async () => (await jobs.getJob(id))?.status === 'completed', 'the new run to complete')
    expect((await jobs.getJob(id))?.result).toEqual({ run: 2 })
    expect(signals).toHaveLength(2)
  } finally {
    for (const open of gates) open()
    await worker.stop({ timeoutMs: 2000 })
    await client.end()
    await jobs.close()
  }
})

// A handler's own heartbeat is a heartbeat too: when it finds the run's token gone, the run is aborted
// at once, not at the worker's next beat (a third of the lease away; here 20 s).
test('ctx.heartbeat() on a run whose job was cancelled aborts it through ctx.signal', async () => {
  let open: () => void = () => {}
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  let started = false
  let abortedAfterHeartbeat: boolean | undefined
  const beating = defineJob({
    name: 'beating',
    run: async (_input, ctx) => {
      started = true
      await gate
      await ctx.heartbeat()
      abortedAfterHeartbeat = ctx.signal.aborted
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [beating], schema: 'cancel_heartbeat', leaseMs: 60_000 })
  const worker = jobs.worker({ concurrency: 1, pollIntervalMs: 20, listen: false })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('beating', {})
    await until(() => started, 'the run to start')
    expect(await jobs.cancel(id)).toBe(true)
    open()
    await until(() => abortedAfterHeartbeat !== undefined, 'the handler to beat')
    expect(abortedAfterHeartbeat).toBe(true)
    expect((await jobs.getJob(id))?.status).toBe('cancelled')
  } finally {
    open()
    await worker.stop({ timeoutMs: 2000 })
    await jobs.close()
  }
})
