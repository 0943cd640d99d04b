import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { AnyJobDefinition } from '../define-job.js'
import type { Logger } from '../logger.js'
import type { JobRecord } from '../queue/get-job.js'
import type { JobPage, ListJobsOptions } from '../queue/list-jobs.js'
import type { QueueMetrics } from '../queue/queue-metrics.js'
import type { QueueStats } from '../queue/queue-stats.js'
import type { ScheduleInfo } from '../schedules/list-schedules.js'
import type { TickReport } from '../schedules/tick-schedules.js'
import type { ProcessOptions, ProcessReport } from '../worker/process-jobs.js'
import type { TokenScope } from './auth/auth-options.js'

/**
 * What `jobs.trigger` answers (see the schedules part of jobs-core). `retrying`: the attempt failed
 * (`error` says why) and the job waits for its next attempt; `failed`: it failed for good, or was
 * cancelled or purged.
 */
export interface TriggerResult {
  status: 'completed' | 'already-done' | 'running' | 'retrying' | 'failed'
  jobId: string
  slot: string | null
  forced: boolean
  result?: unknown
  error?: string
}

/** The part of `Jobs` the handler uses; `createJobs(...)` returns one. */
export interface HandlerJobs {
  readonly definitions: ReadonlyMap<string, AnyJobDefinition>
  readonly logger: Logger
  process(options?: ProcessOptions): Promise<ProcessReport>
  stats(): Promise<QueueStats>
  /** `GET <base>/metrics`: depth, oldest due age and last minute's runs per job name. */
  metrics(): Promise<QueueMetrics>
  getJob(id: string | number): Promise<JobRecord | undefined>
  /** `GET <base>/jobs?…`: a page of jobs matching a filter. */
  listJobs(options?: ListJobsOptions): Promise<JobPage>
  trigger(
    name: string,
    input: unknown,
    options?: { force?: boolean; waitMs?: number; now?: Date },
  ): Promise<TriggerResult>
  tick(options?: { now?: Date }): Promise<TickReport>
  /** The dashboard's schedule table. */
  schedules(options?: { now?: Date; count?: number }): Promise<ScheduleInfo[]>
  /** The dashboard's Retry button. */
  retry(id: string | number): Promise<void>
  /** The dashboard's own reads (chart, recent runs) run through these. */
  readonly executor: SqlExecutor
  readonly schemaName: SchemaName
}

/** Who a request was authenticated as. */
export interface Caller {
  scope: TokenScope
  /**
   * Set when the dashboard's session cookie authenticated the request: the CSRF value its forms must
   * carry. A cookie is sent by the browser on its own, a header is not, so only cookies need it.
   */
  csrfToken?: string
  /**
   * Set when a signature authenticated the request: its value and when it leaves the tolerance. A
   * route that makes a new run records it, so the same signed request cannot make a second one.
   */
  signature?: { value: string; expiresAt: Date }
}

/** What a route's handler gets. */
export interface RouteContext {
  request: Request
  params: Record<string, string>
  /** The parsed JSON body, or form fields for `body: 'form'` (`{}` when empty or with `body: false`). */
  body: Record<string, unknown>
  now: Date
  /** Undefined on `public` routes. */
  caller: Caller | undefined
}

/**
 * One row of the handler's route table. Adding a route (the dashboard's `GET <base>/`) is one more
 * row: a method, a matcher over the path segments after the base path, the scope name a token needs,
 * and a function answering a Response.
 */
export interface Route {
  method: 'GET' | 'POST'
  /** Returns the route's params when the segments match, else undefined. */
  match(segments: readonly string[]): Record<string, string> | undefined
  /** The name a scoped token must list, or `public` for no auth (health by default). */
  scope(params: Record<string, string>): string | 'public'
  /**
   * How long the route's work may take when the database answers (a trigger waits `waitMs`). Default
   * the handler's `deadlineMs`. Past it (and a short grace) the handler answers 503 for it.
   */
  deadlineMs?: number
  /** Whether the route reads a body: `true` JSON (415 otherwise), `'form'` an HTML form. */
  body: boolean | 'form'
  /**
   * Replaces the contract's header auth for this route (the dashboard also accepts its session
   * cookie, and answers a login page instead of JSON). The handler still checks the scope it returns.
   */
  authenticate?(context: { request: Request; raw: Uint8Array; now: Date; path: string }): Promise<Caller>
  handle(context: RouteContext): Promise<Response>
}

/** Matches exactly these segments. */
export function exactly(...expected: string[]): Route['match'] {
  return (segments) =>
    segments.length === expected.length && expected.every((part, index) => segments[index] === part)
      ? {}
      : undefined
}

/** Whether a scope reaches a route or job name; `public` routes need none. */
export function routeAllowed(scope: TokenScope, name: string): boolean {
  return name === 'public' || scope === '*' || scope.includes(name)
}
