import { messageOf, NightshiftError } from '../errors.js'
import { checkInput } from '../input-schema.js'
import type { JobRecord } from '../queue/get-job.js'
import { wholeNumberProblem } from '../whole-number.js'
import { recordSignatureUse } from './auth/record-signature-use.js'
import type { HandlerJobs, Route } from './handler-routes.js'
import { exactly } from './handler-routes.js'
import { HttpError, jsonResponse } from './http-responses.js'
import { listJobsQuery } from './list-jobs-query.js'
import { prometheusText } from './prometheus-text.js'

/** The settings the contract's routes need. */
export interface ContractRouteSettings {
  queueRoute: string
  deadlineMs: number
  waitMs: number
  healthRequiresAuth: boolean
}

/** The control fields a trigger body may carry besides the job's input. */
const controlFields = ['force', 'force_invoke'] as const

function forceOf(body: Record<string, unknown>): { force: boolean; input: Record<string, unknown> } {
  const { force, force_invoke: forceInvoke, ...input } = body
  for (const [name, value] of [
    [controlFields[0], force],
    [controlFields[1], forceInvoke],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean') {
      throw new HttpError('invalid_input', `${name} must be true or false`, {
        issues: [{ path: [name], message: 'expected a boolean' }],
      })
    }
  }
  return { force: force === true || forceInvoke === true, input }
}

function limitOf(body: Record<string, unknown>): number {
  const { limit = 10, ...rest } = body
  const unknown = Object.keys(rest)
  if (unknown.length > 0) {
    throw new HttpError(
      'invalid_input',
      `unknown field ${JSON.stringify(unknown[0])}; the queue route takes { limit }`,
      {
        issues: unknown.map((name) => ({ path: [name], message: 'unknown field' })),
      },
    )
  }
  const problem = wholeNumberProblem(limit, { min: 1, max: 1000 })
  if (problem !== undefined) {
    throw new HttpError('invalid_input', `limit ${problem}`, {
      issues: [{ path: ['limit'], message: problem }],
    })
  }
  return limit as number
}

/** Maps what `jobs.trigger` throws for bad requests to the contract's 400/404. */
function triggerError(error: unknown): never {
  if (error instanceof NightshiftError) {
    if (error.code === 'unknown_job') throw new HttpError('unknown_job', error.message)
    if (error.code === 'invalid_input' || error.code === 'invalid_option') {
      throw new HttpError('invalid_input', error.message, error.issues ? { issues: error.issues } : {})
    }
  }
  throw error
}

/**
 * The contract's routes, most specific first; the job route comes last because it matches any one
 * segment. The dashboard's rows are in dashboard-routes.ts.
 */
export function contractRoutes(jobs: HandlerJobs, settings: ContractRouteSettings): Route[] {
  return [
    {
      method: 'GET',
      match: exactly('health'),
      scope: () => (settings.healthRequiresAuth ? 'health' : 'public'),
      body: false,
      async handle() {
        // Counts and ages only, never payloads: this route may answer without a token.
        const stats = await jobs.stats()
        const healthy = stats.stuck === 0
        return jsonResponse(healthy ? 200 : 503, {
          ok: healthy,
          counts: stats.counts,
          // Finished statuses counted up to 10,000; listed here when there are at least that many.
          countsAtLimit: stats.countsAtLimit,
          oldestPendingSeconds: stats.oldestPendingSeconds,
          stuck: stats.stuck,
        })
      },
    },
    {
      method: 'GET',
      match: exactly('metrics'),
      // Like health: counts and ages per job name, never payloads.
      scope: () => (settings.healthRequiresAuth ? 'metrics' : 'public'),
      body: false,
      async handle() {
        return new Response(prometheusText(await jobs.metrics()), {
          status: 200,
          headers: {
            'content-type': 'text/plain; version=0.0.4; charset=utf-8',
            'cache-control': 'no-store',
          },
        })
      },
    },
    {
      method: 'GET',
      match: exactly('jobs'),
      scope: () => 'jobs',
      body: false,
      async handle({ request }) {
        const options = listJobsQuery(new URL(request.url).searchParams)
        let page: Awaited<ReturnType<HandlerJobs['listJobs']>>
        try {
          page = await jobs.listJobs(options)
        } catch (error) {
          // A status that does not exist, a limit out of range, a cursor no page gave.
          if (error instanceof NightshiftError && error.code === 'invalid_option')
            throw new HttpError('invalid_input', error.message)
          throw error
        }
        return jsonResponse(200, { ok: true, jobs: page.jobs.map(jobView), nextCursor: page.nextCursor })
      },
    },
    {
      method: 'GET',
      match: (segments) =>
        segments.length === 2 && segments[0] === 'jobs' ? { id: segments[1] as string } : undefined,
      scope: () => 'jobs',
      body: false,
      async handle({ params }) {
        const job = await jobs.getJob(params.id as string)
        if (!job)
          throw new HttpError('not_found', `no job with id ${JSON.stringify(params.id?.slice(0, 40))}`)
        return jsonResponse(200, { ok: true, job: jobView(job) })
      },
    },
    {
      method: 'POST',
      match: exactly(settings.queueRoute),
      scope: () => settings.queueRoute,
      body: true,
      async handle({ body }) {
        const report = await jobs.process({ limit: limitOf(body), deadlineMs: settings.deadlineMs })
        return jsonResponse(200, { ok: true, ...report })
      },
    },
    {
      method: 'POST',
      match: exactly('tick'),
      scope: () => 'tick',
      body: true,
      async handle({ body, now }) {
        if (Object.keys(body).length > 0)
          throw new HttpError('invalid_input', 'the tick route takes no fields, send {}')
        const started = Date.now()
        const report = await jobs.tick({ now })
        const { enqueued } = report
        const names = [...new Set(enqueued.map((slot) => slot.name))]
        const remaining = Math.max(1, settings.deadlineMs - (Date.now() - started))
        const processed =
          names.length > 0
            ? await jobs.process({ names, limit: Math.min(1000, enqueued.length), deadlineMs: remaining })
            : undefined
        if (report.failed.length > 0) {
          // The other schedules ticked (their slots are in `enqueued`); a caller that only reads `ok` (a
          // cron step, the GitHub Action) must still see that one did not.
          const names = report.failed.map((failure) => failure.name).join(', ')
          return jsonResponse(500, {
            ok: false,
            error: {
              code: 'internal',
              message: `these schedules could not tick: ${names} (see failed, and the log)`,
            },
            ...report,
            processed,
          })
        }
        return jsonResponse(200, { ok: true, ...report, processed })
      },
    },
    {
      method: 'POST',
      match: (segments) => (segments.length === 1 ? { job: segments[0] as string } : undefined),
      scope: (params) => params.job as string,
      body: true,
      // The trigger waits `waitMs` for its job, which may be longer than the handler's deadline.
      deadlineMs: Math.max(settings.deadlineMs, settings.waitMs),
      async handle({ params, body, now, caller }) {
        const name = params.job as string
        const definition = jobs.definitions.get(name)
        if (!definition)
          throw new HttpError('unknown_job', `no job named ${JSON.stringify(name.slice(0, 100))}`)
        const { force, input } = forceOf(body)
        // A signed request that makes a new run whatever ran before (force, or a job without a
        // schedule, which runs afresh on every trigger) is accepted once: a captured copy sent again
        // within the tolerance would run it again. A slot's trigger needs no record; its slot is
        // enqueued once however often it comes.
        if (caller?.signature && (force || definition.schedule === undefined)) {
          // The input is checked before the signature is spent: a request refused for its input writes
          // nothing, as every rejected request (the trigger checks it again, as for any caller).
          const check = await checkInput(definition.input, input)
          if (!check.ok) {
            throw new HttpError('invalid_input', `invalid input for job "${name}": ${check.text}`, {
              issues: check.issues,
            })
          }
          if (!(await recordSignatureUse(jobs.executor, jobs.schemaName, caller.signature, now))) {
            throw new HttpError(
              'unauthorized',
              'this signed request was already used; sign each run anew (a signature makes one run)',
            )
          }
        }
        const outcome = await jobs
          .trigger(name, input, { force, waitMs: settings.waitMs, now })
          .catch(triggerError)
        if (outcome.status === 'failed' || outcome.status === 'retrying') {
          // The handler's own message, as the job stored it; `retrying` says the job will run again.
          return jsonResponse(502, {
            ok: false,
            jobId: outcome.jobId,
            slot: outcome.slot,
            forced: outcome.forced,
            status: outcome.status,
            error: { code: 'job_failed', message: outcome.error ?? messageOf(outcome.result) },
          })
        }
        // running: accepted, finishing in the background or on the next claim after its lease.
        return jsonResponse(outcome.status === 'running' ? 202 : 200, { ok: true, ...outcome })
      },
    },
  ]
}

// A job as the contract shows it: no payload (it may hold personal data), the result and last error.
function jobView(job: JobRecord) {
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    lastError: job.errorMessage,
    result: job.result,
    progress: job.progress,
    idempotencyKey: job.idempotencyKey,
    scheduledFor: job.scheduledFor,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    completedAt: job.completedAt,
  }
}
