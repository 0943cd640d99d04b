import { generateWorkflows } from '@nightshift/adapter-gha'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { bookingDefinitions } from './booking-definitions.js'
import { runAction, withoutMaskCommands } from './run-action.js'
import { stepInputs } from './workflow-step-inputs.js'

// mode: process, as a team with no server runs it: the runner opens the booking queue itself.
let db: TestDatabase
let pool: pg.Pool
const processStep = (inputs: Record<string, string> = {}) =>
  runAction({
    mode: 'process',
    'database-url': db.url,
    'jobs-module': 'examples/github/booking-jobs.ts',
    ...inputs,
  })

beforeAll(async () => {
  db = await createTestDatabase('gha_process')
  pool = new pg.Pool({ connectionString: db.url })
})

afterAll(async () => {
  await pool?.end()
  await db?.drop()
})

async function rowsOf(type: string): Promise<{ id: string; status: string; idempotency_key: string }[]> {
  const { rows } = await pool.query(
    'select id::text, status, idempotency_key from nightshift.jobs where type = $1 order by id',
    [type],
  )
  return rows
}

describe('mode: process with the booking jobs', () => {
  it('runs a job’s slot once, however late, and a re-run of the workflow finds it done', async () => {
    const started = new Date()
    const first = await processStep({ job: 'generate-t5-invoices' })
    expect(first.code, first.stdout + first.stderr).toBe(0)
    expect(first.outputs).toMatchObject({ ok: 'true', 'job-status': 'completed', processed: '1' })
    const slot = JSON.parse(first.outputs.response ?? '{}').slot as string
    // The 01:00 slot, run after it came (the workflow ran late): the slot is what it billed for.
    expect(slot).toMatch(/T01:00:00\.000Z$/)
    expect(new Date(slot).getTime()).toBeLessThanOrEqual(started.getTime())
    expect(first.summary).toContain(`<td>slot</td><td>${slot}</td>`)

    const rerun = await processStep({ job: 'generate-t5-invoices' })
    expect(rerun.code).toBe(0)
    expect(rerun.outputs).toMatchObject({ ok: 'true', 'job-status': 'already-done', processed: '0' })
    expect(rerun.outputs['job-id']).toBe(first.outputs['job-id'])
    expect(await rowsOf('generate-t5-invoices')).toEqual([
      { id: first.outputs['job-id'], status: 'completed', idempotency_key: `generate-t5-invoices@${slot}` },
    ])
  })

  it('two runs of one workflow at once run the slot once', async () => {
    const [a, b] = await Promise.all([
      processStep({ job: 'run-escalation-orchestration' }),
      processStep({ job: 'run-escalation-orchestration' }),
    ])
    expect([a.code, b.code]).toEqual([0, 0])
    expect(a.outputs['job-id']).toBe(b.outputs['job-id'])
    expect([a.outputs['job-status'], b.outputs['job-status']].sort()).toEqual(['already-done', 'completed'])
    expect(await rowsOf('run-escalation-orchestration')).toHaveLength(1)
  })

  it('force runs the slot again on purpose', async () => {
    const [before] = await rowsOf('run-escalation-orchestration')
    const forced = await processStep({ job: 'run-escalation-orchestration', force: 'true' })
    expect(forced.code).toBe(0)
    expect(forced.outputs['job-status']).toBe('completed')
    expect(forced.outputs['job-id']).not.toBe(before?.id)
    expect(await rowsOf('run-escalation-orchestration')).toHaveLength(2)
  })

  it('without a job, enqueues the due slots and drains the queue; slots already run are not run again', async () => {
    const drain = await processStep({ limit: '20' })
    expect(drain.code, drain.stdout + drain.stderr).toBe(0)
    expect(drain.outputs['job-status']).toBe('processed')
    const report = JSON.parse(drain.outputs.response ?? '{}')
    expect(drain.outputs.processed).toBe(String(report.claimed))
    expect(drain.summary).toContain('<td>completed</td>')
    // Every slot's job exists once, by its key; the t5 slot the first test ran is still one row.
    const { rows } = await pool.query(
      `select idempotency_key, count(*)::int as n from nightshift.jobs
       where idempotency_key is not null and idempotency_key not like '%#forced-%' group by 1`,
    )
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((row) => row.n === 1)).toBe(true)
    expect(await rowsOf('generate-t5-invoices')).toHaveLength(1)
    const again = await processStep({ limit: '20' })
    expect(again.code).toBe(0)
    // Nothing enqueued twice; only a new five-minute Zoom slot may have come since the first drain.
    const enqueued = JSON.parse(again.outputs.response ?? '{}').enqueued as { name: string }[]
    expect(enqueued.filter((slot) => slot.name !== 'schedule-create-zoom')).toEqual([])
  })

  it('a generated mode-process workflow’s step runs as GitHub would fill in its inputs', async () => {
    const workflows = generateWorkflows(bookingDefinitions(), {
      mode: 'process',
      jobsModule: 'examples/github/booking-jobs.ts',
      queue: { route: 'drain-queue', cron: '*/5 * * * *' },
    })
    const text = (file: string) => workflows.find((workflow) => workflow.file === file)?.text ?? ''
    const secrets = { DATABASE_URL: db.url }
    const scheduled = await runAction(stepInputs(text('escalate-overdue-bookings.yaml'), secrets))
    expect(scheduled.code, scheduled.stdout).toBe(0)
    expect(['completed', 'already-done']).toContain(scheduled.outputs['job-status'])
    const dispatched = await runAction(
      stepInputs(text('escalate-overdue-bookings.yaml'), secrets, { force: 'true' }),
    )
    expect(dispatched.outputs).toMatchObject({ ok: 'true', 'job-status': 'completed' })
    expect(JSON.parse(dispatched.outputs.response ?? '{}').forced).toBe(true)
    const drain = await runAction(stepInputs(text('drain-queue.yaml'), secrets, { limit: '3' }))
    expect(drain.code, drain.stdout).toBe(0)
    expect(drain.outputs['job-status']).toBe('processed')
    expect(Number(drain.outputs.processed)).toBeLessThanOrEqual(3)
  })

  it('opens the queue itself when the module exports only job definitions', async () => {
    const module = { 'jobs-module': 'packages/adapter-gha/test/fixtures/jobs-modules/definitions-array.mjs' }
    const first = await processStep({ ...module, job: 'count-sheep' })
    expect(first.code, first.stdout + first.stderr).toBe(0)
    expect(first.outputs['job-status']).toBe('completed')
    expect(JSON.parse(first.outputs.response ?? '{}')).toMatchObject({ result: { sheep: 3 } })
    const again = await processStep({ ...module, job: 'count-sheep' })
    expect(again.outputs).toMatchObject({ 'job-status': 'already-done', 'job-id': first.outputs['job-id'] })
    // body is the job's input in mode process.
    const hello = await processStep({ ...module, job: 'say-hello', body: '{"name":"runner"}' })
    expect(JSON.parse(hello.outputs.response ?? '{}')).toMatchObject({
      status: 'completed',
      result: { hello: 'runner' },
    })
  })

  it('takes <path>#export, as the nightshift commands read --jobs', async () => {
    // The export named is one job definition.
    const run = await processStep({
      'jobs-module':
        'packages/jobs-core/test/fixtures/jobs-modules/each-definition-exported.mjs#nightlyReport',
      job: 'nightly-report',
    })
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(JSON.parse(run.outputs.response ?? '{}')).toMatchObject({
      status: 'completed',
      result: { rows: 3 },
    })
  })

  it('fails the step with whatever the jobs module throws, an Error or not', async () => {
    const run = await processStep({
      'jobs-module': 'packages/adapter-gha/test/fixtures/jobs-modules/throws-a-plain-object.mjs',
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('::error::nightshift: {"reason":"the queue settings are missing","code":42}')
    expect(run.outputs.ok).toBe('false')
  })

  it('masks the database URL and reports a wrong module clearly', async () => {
    const run = await processStep({ 'jobs-module': 'examples/github/no-such-module.mjs' })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/::error::nightshift: .*no-such-module\.mjs/)
    expect(run.everything).toContain(`::add-mask::${db.url}`)
    expect(withoutMaskCommands(run.everything)).not.toContain(db.url)
  })
})
