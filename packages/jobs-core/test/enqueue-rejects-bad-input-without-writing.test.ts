import { createJobs, defineJob, JobCancelError, JobSnoozeError, NightshiftError } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('bad_input')
})
afterAll(() => db?.drop())

const sendEmail = defineJob({
  name: 'send-email',
  input: z.object({ to: z.email(), subject: z.string() }),
  run: () => 'sent',
})

async function rowCount(jobs: { executor: { query: <R>(t: string) => Promise<R[]> } }): Promise<number> {
  const rows = await jobs.executor.query<{ n: number }>('select count(*)::int as n from nightshift.jobs')
  return rows[0]?.n ?? -1
}

test('unknown names and bad payloads throw typed errors and write no row', async () => {
  const jobs = createJobs({ db: db.url, jobs: [sendEmail] })
  try {
    await jobs.migrate()
    // biome-ignore lint/suspicious/noExplicitAny: calling with a name the types forbid, as JavaScript may
    const untyped = jobs as any
    const unknown = await untyped.enqueue('send-sms', {}).catch((error: unknown) => error)
    expect(unknown).toBeInstanceOf(NightshiftError)
    expect(unknown).toMatchObject({ code: 'unknown_job' })
    expect(unknown.message).toContain('send-sms')

    const invalid = await untyped.enqueue('send-email', { to: 'nope' }).catch((error: unknown) => error)
    expect(invalid).toMatchObject({ code: 'invalid_input' })
    expect(invalid.issues.map((issue: { path: string[] }) => issue.path.join('.')).sort()).toEqual([
      'subject',
      'to',
    ])

    const many = await untyped
      .enqueueMany([
        { name: 'send-email', input: { to: 'a@example.com', subject: 'ok' } },
        { name: 'send-email', input: { to: 'b@example.com' } },
      ])
      .catch((error: unknown) => error)
    expect(many).toMatchObject({ code: 'invalid_input' })
    expect(await rowCount(jobs)).toBe(0)
  } finally {
    await jobs.close()
  }
})

test('a stored payload that no longer parses ends failed with a clear message, without retrying', async () => {
  const jobs = createJobs({ db: db.url, jobs: [sendEmail], schema: 'stale' })
  try {
    await jobs.migrate()
    // Written by an older version whose schema had no subject.
    const [row] = await jobs.executor.query<{ id: string }>(
      `insert into stale.jobs (type, payload) values ('send-email', '{"to":"a@example.com"}') returning id`,
    )
    const report = await jobs.process()
    expect(report).toMatchObject({ claimed: 1, failed: 1, retried: 0 })
    const job = await jobs.getJob(row?.id as string)
    expect(job).toMatchObject({ status: 'failed', attempts: 1 })
    expect(job?.errorMessage).toMatch(/payload does not match the input schema of "send-email": subject/)
    expect((await jobs.process()).claimed).toBe(0)
  } finally {
    await jobs.close()
  }
})

test('JobCancelError cancels; JobSnoozeError puts the job back later without spending an attempt', async () => {
  const cancel = defineJob({
    name: 'cancel-me',
    run: () => {
      throw new JobCancelError('booking deleted')
    },
  })
  const snooze = defineJob({
    name: 'snooze-me',
    run: () => {
      throw new JobSnoozeError(120_000, 'provider busy')
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [cancel, snooze], schema: 'control' })
  try {
    await jobs.migrate()
    const cancelled = await jobs.enqueue('cancel-me', {})
    const snoozed = await jobs.enqueue('snooze-me', {})
    const before = Date.now()
    const report = await jobs.process()
    expect(report).toMatchObject({ claimed: 2, cancelled: 1, snoozed: 1, retried: 0, failed: 0 })
    expect(await jobs.getJob(cancelled.id)).toMatchObject({
      status: 'cancelled',
      errorMessage: 'booking deleted',
    })
    const job = await jobs.getJob(snoozed.id)
    expect(job).toMatchObject({ status: 'pending', attempts: 0 })
    expect(job?.scheduledFor.getTime()).toBeGreaterThan(before + 100_000)
    expect((await jobs.process()).claimed).toBe(0)
  } finally {
    await jobs.close()
  }
})
