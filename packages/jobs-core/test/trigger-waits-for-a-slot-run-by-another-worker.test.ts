import { createHandler, createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { serveFetchHandler } from './serve-fetch-handler.js'

// Right after a deploy, the ticker's catch-up enqueues the current slot and a worker runs it; a curl of
// the same slot in those seconds must wait for that run's outcome (200 with its result), not answer 202.
let db: TestDatabase
let release = () => {}
let started = Promise.resolve()
const runs: string[] = []
/** Holds the next run open until `release()`; `started` resolves once it is under way. */
function holdNextRun(): void {
  let markStarted = () => {}
  started = new Promise((resolve) => {
    markStarted = resolve
  })
  const released = new Promise<void>((resolve) => {
    const before = release
    // Releasing also releases any run held before, so a failed test never leaves a handler hanging.
    release = () => {
      before()
      resolve()
    }
  })
  gate = { markStarted, released }
}
let gate = { markStarted: () => {}, released: Promise.resolve() }
const report = defineJob({
  name: 'nightly-report',
  schedule: { cron: '0 2 * * *', timezone: 'UTC' },
  run: async (_input, ctx) => {
    runs.push(ctx.jobId)
    gate.markStarted()
    await gate.released
    return { rows: 3 }
  },
})
// Two instances, each with its own pool: one runs the worker, the other serves HTTP triggers.
let workerSide: ReturnType<typeof createJobs<[typeof report]>>
let httpSide: ReturnType<typeof createJobs<[typeof report]>>
let clock = new Date('2026-11-28T01:00:00Z')
let served: Awaited<ReturnType<typeof serveFetchHandler>>

beforeAll(async () => {
  db = await createTestDatabase('trigger_waits')
  workerSide = createJobs({ db: db.url, jobs: [report] })
  httpSide = createJobs({ db: db.url, jobs: [report] })
  await workerSide.migrate()
  await workerSide.tick({ now: clock }) // starts the ledger
  const handler = createHandler(httpSide, {
    auth: 'none',
    now: () => clock,
    waitMs: 30_000,
    dashboard: false,
  })
  served = await serveFetchHandler(handler)
})
afterAll(async () => {
  release()
  await served?.close()
  await workerSide?.close()
  await httpSide?.close()
  await db?.drop()
})

/** The worker runs the slot due at `now` (enqueued by a tick, as the ticker's catch-up does) and holds it. */
async function slotRunningInWorker(now: string): Promise<string> {
  holdNextRun()
  clock = new Date(now)
  const { enqueued } = await workerSide.tick({ now: clock })
  expect(enqueued).toHaveLength(1)
  const worker = workerSide.worker({ concurrency: 1 })
  await started
  void worker.stop({ timeoutMs: 60_000 })
  return enqueued[0]?.jobId as string
}

async function curl(): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${served.url}/nightly-report`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

test("a trigger that finds the slot's job running in a worker waits for it and answers 200 with its result", async () => {
  const jobId = await slotRunningInWorker('2026-11-28T02:00:05Z')
  const answer = curl()
  // The run is held open: the trigger has nothing to answer yet but 202. Give it time to do so.
  const early = await Promise.race([
    answer,
    new Promise((resolve) => setTimeout(() => resolve('waiting'), 500)),
  ])
  expect(early).toBe('waiting')
  release()
  expect(await answer).toEqual({
    status: 200,
    body: {
      ok: true,
      status: 'already-done',
      jobId,
      slot: '2026-11-28T02:00:00.000Z',
      forced: false,
      result: { rows: 3 },
    },
  })
  expect(runs).toEqual([jobId])
})

test('202 running only when the wait really runs out', async () => {
  const jobId = await slotRunningInWorker('2026-11-29T02:00:05Z')
  try {
    const outcome = await httpSide.trigger('nightly-report', {}, { now: clock, waitMs: 300 })
    expect(outcome).toMatchObject({ status: 'running', jobId, slot: '2026-11-29T02:00:00.000Z' })
  } finally {
    release()
  }
  // Once it is done, the same trigger answers at once with the result.
  let done = await workerSide.getJob(jobId)
  while (done?.status !== 'completed') {
    await new Promise((resolve) => setTimeout(resolve, 20))
    done = await workerSide.getJob(jobId)
  }
  expect(await httpSide.trigger('nightly-report', {}, { now: clock })).toMatchObject({
    status: 'already-done',
    jobId,
    result: { rows: 3 },
  })
  expect(runs).toHaveLength(2)
})
