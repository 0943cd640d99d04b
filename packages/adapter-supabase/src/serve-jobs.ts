import {
  type AnyJobDefinition,
  type AuthOptions,
  createHandler,
  createJobs,
  type HandlerJobs,
  type HandlerOptions,
  type Jobs,
  type Logger,
  type TokenScope,
} from '@nightshift/jobs-core'
import { authFromEnv, type SecretVariable } from './auth-from-env.js'
import { keepAliveUntil, onUnload } from './edge-runtime.js'
import { databaseUrlFromEnv, type EnvReader, functionEnv } from './function-env.js'
import { functionMount } from './function-mount.js'

/**
 * A queue `serveJobs` can serve: what `createJobs` returns.
 *
 * @example
 * const jobs: ServableJobs = createJobs({ db: pool, jobs: definitions, preparedStatements: false })
 */
export type ServableJobs = HandlerJobs & Pick<Jobs, 'close' | 'whenIdle'>

/**
 * Options of `serveJobs`: the core handler's, with defaults from the function's environment.
 *
 * @example
 * const options: ServeJobsOptions = { queueRoute: 'notification-worker', deadlineMs: 100_000 }
 */
export interface ServeJobsOptions extends Omit<HandlerOptions, 'auth' | 'basePath'> {
  /** Default: from the environment (see `authFromEnv`). */
  auth?: AuthOptions | 'none'
  /** What each secret variable may reach, e.g. `{ CRON_SECRET: ['run-escalation-orchestration'] }`. Default `'*'`. */
  scopes?: Partial<Record<SecretVariable, TokenScope>>
  /**
   * Most time a request spends on jobs before answering `running` (the rest finishes in the background
   * or after the lease). Keep it below the platform's wall clock: 150 s free, 400 s paid
   * (https://supabase.com/docs/guides/functions/limits). Default 120,000 ms.
   */
  deadlineMs?: number
  /** Default `Deno.env.get` in a function, `process.env` in Node. */
  env?: EnvReader
  /** With job definitions: connections per isolate. Default 2. */
  maxConnections?: number
  /** With job definitions: the lease a claim takes. Default the core's (60 s). */
  leaseMs?: number
  /** With job definitions: nightshift's schema. Default `nightshift`. */
  schema?: string
  logger?: Logger
  /** Keep the isolate alive for jobs past the deadline with `EdgeRuntime.waitUntil`, where it exists. Default true. */
  background?: boolean
  /** What `beforeunload` runs. Default `jobs.close()` (and so the pool nightshift opened). */
  close?: () => Promise<void>
}

/**
 * A `Deno.serve` handler for a Supabase Edge Function, over the core's `createHandler`. Give it job
 * definitions and it opens the queue on `SUPABASE_DB_URL` (or `NIGHTSHIFT_DB_URL`, see `databaseUrlFromEnv`): two
 * connections, no prepared statements, no LISTEN, closed on `beforeunload`. Or give it a queue you
 * made (`createJobs(...)`), closed the same way. `POST /<function-name>` runs the job of that name or
 * drains the queue when it is the `queueRoute`; `/<function-name>/<route>` serves the whole contract, so
 * one function can serve every job. Auth comes from the function's secrets (`authFromEnv`).
 *
 * @example
 * // supabase/functions/generate-t5-invoices/index.ts
 * import { serveJobs } from '@nightshift/adapter-supabase'
 * import { jobs } from '../_shared/jobs.ts'
 * Deno.serve(serveJobs(jobs, { queueRoute: 'notification-worker' }))
 */
export function serveJobs(
  jobs: readonly AnyJobDefinition[] | ServableJobs,
  options: ServeJobsOptions = {},
): (request: Request) => Promise<Response> {
  const { auth, scopes, env = functionEnv(), background = true, close, ...handlerOptions } = options
  const { maxConnections = 2, leaseMs, schema, logger, ...rest } = handlerOptions
  // Auth is decided before the pool opens: a function without secrets fails at start, naming them.
  const callers = auth === undefined ? authFromEnv(env, scopes) : { auth, header: undefined }
  const queue: ServableJobs = Array.isArray(jobs)
    ? createJobs({
        db: databaseUrlFromEnv(env),
        jobs: jobs as readonly AnyJobDefinition[],
        // A transaction-mode pooler keeps no prepared statement and no session between transactions.
        preparedStatements: false,
        maxConnections,
        leaseMs,
        schema,
        logger,
      })
    : (jobs as ServableJobs)
  const handler = createHandler(queue, {
    ...rest,
    auth: callers.auth,
    header: rest.header ?? callers.header,
    deadlineMs: rest.deadlineMs ?? 120_000,
  })
  const routeNames = new Set([...queue.definitions.keys(), rest.queueRoute ?? 'process-queue'])
  onUnload(close ?? (() => queue.close()), queue.logger)
  return async (request) => {
    const response = await handler(request, {
      mountPath: functionMount(new URL(request.url).pathname, routeNames),
    })
    // Jobs past the deadline keep running; where the runtime allows, it waits for them.
    if (background) keepAliveUntil(queue.whenIdle())
    return response
  }
}
