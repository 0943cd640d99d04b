import { createHandler, createJobs, defineJob, NightshiftError } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { serveFetchHandler } from './serve-fetch-handler.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('progress')
})
afterAll(() => db?.drop())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('ctx.progress is stored (the latest of many), shown by getJob, GET /jobs/<id> and the dashboard, and kept after the run', async () => {
  let release = () => {}
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  const problems: string[] = []
  const remind = defineJob({
    name: 'send-reminders',
    run: async (_input, ctx) => {
      // A report per item, without awaiting each: they collapse into the latest.
      const reports = Array.from({ length: 500 }, (_, index) => ctx.progress({ sent: index + 1, of: 500 }))
      await Promise.all(reports)
      for (const bad of [undefined, { big: 'x'.repeat(20_000) }]) {
        await ctx.progress(bad).catch((error: unknown) => {
          if (error instanceof NightshiftError) problems.push(`${error.code}: ${error.message}`)
        })
      }
      await released
      return { done: true }
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [remind], logger: false })
  const token = 'progress-token-0123456789abcdef'
  const server = await serveFetchHandler(createHandler(jobs, { auth: { tokens: [token] } }))
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('send-reminders', {})
    const worker = jobs.worker({ concurrency: 1, pollIntervalMs: 20 })
    for (let i = 0; i < 400 && problems.length < 2; i++) await sleep(25)
    expect(problems).toEqual([
      'invalid_input: ctx.progress needs a JSON value, got undefined',
      'invalid_input: ctx.progress value is 20010 characters as JSON; at most 16384',
    ])
    expect((await jobs.getJob(id))?.progress).toEqual({ sent: 500, of: 500 })
    const over = await fetch(`${server.url}/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } })
    expect(((await over.json()) as { job: { progress: unknown } }).job.progress).toEqual({
      sent: 500,
      of: 500,
    })
    const page = await (
      await fetch(`${server.url}/dashboard`, { headers: { authorization: `Bearer ${token}` } })
    ).text()
    const row = new RegExp(`<tr data-running-job-id="${id}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? ''
    expect(row).toContain('send-reminders')
    // jsonb keeps keys in its own order (shorter first).
    expect(row).toContain('{&quot;of&quot;:500,&quot;sent&quot;:500}')
    release()
    for (let i = 0; i < 400 && (await jobs.getJob(id))?.status !== 'completed'; i++) await sleep(25)
    await worker.stop()
    const done = await jobs.getJob(id)
    expect(done?.status).toBe('completed')
    expect(done?.progress).toEqual({ sent: 500, of: 500 })
  } finally {
    release()
    await server.close()
    await jobs.close()
  }
})

test('a run whose job was cancelled cannot record progress: ctx.progress rejects with lease_lost and the run is aborted', async () => {
  let reported = () => {}
  const firstReport = new Promise<void>((resolve) => {
    reported = resolve
  })
  let outcome: { code: string; aborted: boolean } | undefined
  let cancelled = () => {}
  const afterCancel = new Promise<void>((resolve) => {
    cancelled = resolve
  })
  const slow = defineJob({
    name: 'slow-export',
    run: async (_input, ctx) => {
      await ctx.progress({ step: 1 })
      reported()
      await afterCancel
      try {
        await ctx.progress({ step: 2 })
      } catch (error) {
        outcome = { code: (error as NightshiftError).code, aborted: ctx.signal.aborted }
      }
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [slow], logger: false, schema: 'progress_lost' })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('slow-export', {})
    const processing = jobs.process({ limit: 1 })
    await firstReport
    expect(await jobs.cancel(id)).toBe(true)
    cancelled()
    await processing
    expect(outcome).toEqual({ code: 'lease_lost', aborted: true })
    const job = await jobs.getJob(id)
    expect(job?.status).toBe('cancelled')
    expect(job?.progress).toEqual({ step: 1 })
  } finally {
    cancelled()
    await jobs.close()
  }
})
