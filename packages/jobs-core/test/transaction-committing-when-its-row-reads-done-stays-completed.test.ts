import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

// Between the completion's UPDATE inside ctx.transaction and the COMMIT's answer, the row already reads
// `completed` to every other connection once PostgreSQL has committed: a heartbeat, a `ctx.progress`
// write queued behind the completion's row lock, finds no row held by the run. Those are the run's
// own completion, not a lost lease, and a timeout in that window must not decide the outcome either.
// The app's pool here answers every COMMIT late (after PostgreSQL committed), as a slow network would,
// so each window is wide enough to hit every time.

let db: TestDatabase
let raw: pg.Pool
const commitAnswerLateMs = 600
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A real pg Pool whose clients hand back each COMMIT's answer `commitAnswerLateMs` after it came, or
 * (`cut`) wait as long and then lose their connection before sending the COMMIT, which then fails.
 */
function lateCommitAnswers(pool: pg.Pool, cut = false): pg.Pool {
  const late = {
    totalCount: 0,
    query: pool.query.bind(pool),
    end: () => pool.end(),
    async connect() {
      const client = await pool.connect()
      return new Proxy(client, {
        get(target, key) {
          if (key === 'query')
            return async (text: string, values?: unknown[]) => {
              if (text === 'commit' && cut) {
                await sleep(commitAnswerLateMs)
                const pid = (target as unknown as { processID: number }).processID
                await pool.query('select pg_terminate_backend($1)', [pid])
              }
              const answer = await target.query(text, values)
              if (text === 'commit') await sleep(commitAnswerLateMs)
              return answer
            }
          const value = Reflect.get(target, key)
          return typeof value === 'function' ? value.bind(target) : value
        },
      })
    },
  }
  // Only what nightshift calls on a Pool (PoolLike) is there; the cast spares the test pg.Pool's overloads.
  return late as unknown as pg.Pool
}

beforeAll(async () => {
  db = await createTestDatabase('tx_committing')
  raw = new pg.Pool({ connectionString: db.url, max: 6 })
  await raw.query('create table effects (job_id bigint not null)')
})
afterAll(async () => {
  await raw?.end()
  await db?.drop()
})

type Ending = 'plain' | 'progress-at-the-end' | 'timeout-while-committing'
// What each unawaited progress report settled as: it stores nothing once the job is completed, and resolves.
const progressed: Promise<string>[] = []

/** Bills inside ctx.transaction on `app`; `ending` says what happens around its COMMIT. */
function billJob(app: pg.Pool) {
  return defineJob({
    name: 'bill',
    input: z.object({ ending: z.enum(['plain', 'progress-at-the-end', 'timeout-while-committing']) }),
    timeoutMs: 400,
    run: (input, ctx) =>
      ctx.transaction(
        async (tx) => {
          await tx.query('insert into effects (job_id) values ($1)', [ctx.jobId])
          // As the booking example's Zoom job does: its last progress report is not awaited.
          if (input.ending === 'progress-at-the-end')
            progressed.push(
              ctx.progress({ done: 1 }).then(
                () => 'resolved',
                (error) => error.code,
              ),
            )
          return { billed: ctx.jobId }
        },
        { db: app },
      ),
  })
}

function recordingJobs(leaseMs: number) {
  const warnings: string[] = []
  const ends: string[] = []
  const app = lateCommitAnswers(raw)
  const jobs = createJobs({
    db: db.url,
    leaseMs,
    logger: { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} },
    jobs: [billJob(app)],
  })
  for (const name of [
    'job:success',
    'job:retry',
    'job:failed',
    'job:cancelled',
    'job:lost',
    'job:released',
  ] as const)
    jobs.on(name, () => ends.push(name))
  return { jobs, warnings, ends }
}

/** The job completed once with its effect, reported once as a success, with no warning logged. */
async function expectCompletedOnce(recorded: ReturnType<typeof recordingJobs>, id: string, ending: Ending) {
  const { jobs, warnings, ends } = recorded
  expect(await jobs.getJob(id)).toMatchObject({ status: 'completed', attempts: 1, result: { billed: id } })
  const { rows } = await raw.query('select 1 from effects where job_id = $1', [id])
  expect(rows).toHaveLength(1)
  expect(ends).toEqual(['job:success'])
  expect(warnings).toEqual([])
  expect(await Promise.all(progressed.splice(0))).toEqual(
    ending === 'progress-at-the-end' ? ['resolved'] : [],
  )
}

const cases: [Ending, number][] = [
  // A heartbeat every 100 ms lands inside the 600 ms late answer.
  ['plain', 300],
  ['progress-at-the-end', 60_000],
  // The 400 ms timeout fires while the COMMIT's answer is on its way.
  ['timeout-while-committing', 60_000],
]

test.each(cases)('trigger: %s, a commit answered late is completed, not running', async (ending, leaseMs) => {
  const recorded = recordingJobs(leaseMs)
  const { jobs } = recorded
  try {
    await jobs.migrate()
    const answer = await jobs.trigger('bill', { ending })
    expect(answer).toMatchObject({ status: 'completed', result: { billed: answer.jobId } })
    await expectCompletedOnce(recorded, answer.jobId, ending)
  } finally {
    await jobs.close()
  }
})

test.each(cases)('process(): %s, a commit answered late is counted completed', async (ending, leaseMs) => {
  const recorded = recordingJobs(leaseMs)
  const { jobs } = recorded
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('bill', { ending })
    const report = await jobs.process({ limit: 1 })
    expect(report).toMatchObject({ claimed: 1, completed: 1, retried: 0, failed: 0, running: 0 })
    await expectCompletedOnce(recorded, id, ending)
  } finally {
    await jobs.close()
  }
})

/** Its transaction's COMMIT fails after its timeout; it then ignores its signal, so only the runner ends it. */
function billIgnoringItsSignal(app: pg.Pool) {
  return defineJob({
    name: 'bill',
    timeoutMs: 400,
    run: async (_input, ctx) => {
      await ctx
        .transaction((tx) => tx.query('insert into effects (job_id) values ($1)', [ctx.jobId]), {
          db: app,
        })
        .catch(() => {})
      // A handler that ignores its signal: only the runner can end this run.
      await new Promise(() => {})
    },
  })
}

test('a timeout while a COMMIT fails is told once the COMMIT failed: the attempt is retried, nothing landed', async () => {
  const app = lateCommitAnswers(raw, true)
  const jobs = createJobs({
    db: db.url,
    logger: false,
    jobs: [billIgnoringItsSignal(app)],
  })
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('bill', {})
    const report = await jobs.process({ limit: 1, deadlineMs: 10_000 })
    expect(report).toMatchObject({ claimed: 1, completed: 0, retried: 1, running: 0 })
    expect(await jobs.getJob(id)).toMatchObject({ status: 'pending', attempts: 1 })
    expect((await jobs.getJob(id))?.errorMessage).toMatch(/timed out|timeout/i)
    const { rows } = await raw.query('select 1 from effects where job_id = $1', [id])
    expect(rows).toHaveLength(0)
  } finally {
    await jobs.close()
  }
})
