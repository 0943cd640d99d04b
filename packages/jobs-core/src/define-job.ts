import type { Transaction } from 'kysely'
import { NightshiftError } from './errors.js'
import { reservedRouteNames } from './http/reserved-route-names.js'
import { checkInput, type InputSchema, noInput, type SchemaInput, type SchemaOutput } from './input-schema.js'
import type { Logger } from './logger.js'
import { parseSchedule, type Schedule, type ScheduleOptions } from './schedules/cron-schedule.js'
import { wholeNumberProblem } from './whole-number.js'
import { type BackoffOptions, defaultBackoff } from './worker/backoff.js'
import type {
  JobTransactionOptions,
  KyselyTransactionOptions,
  TransactionClient,
} from './worker/job-transaction.js'

/** What a handler receives besides its input. */
export interface JobContext {
  /** The job's row id. */
  jobId: string
  /** The job's name (its `type` column). */
  name: string
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number
  maxAttempts: number
  /** Aborted when the job times out or its worker is stopped hard; pass it to fetch and the like. */
  signal: AbortSignal
  /** The queue's logger, with this run's `job`, `jobId` and `attempt` added to every entry's fields. */
  logger: Logger
  /** Extends the job's lease now. The worker also extends it on its own while the handler runs. */
  heartbeat(): Promise<void>
  /**
   * Records how far the run got (any JSON value up to 16 KB), shown by `getJob`, `GET <base>/jobs/<id>`
   * and the dashboard's running jobs, and kept after the run ends. It also extends the lease. Cheap to
   * call often: values reported while one is being written collapse into the latest. Rejects with
   * `lease_lost` when the run no longer holds its job (the run is aborted); once the run's own
   * `ctx.transaction` has completed the job, it stores nothing and resolves.
   *
   * @example
   * for (const [index, booking] of bookings.entries()) {
   *   await remind(booking)
   *   void ctx.progress({ sent: index + 1, of: bookings.length })
   * }
   */
  progress(value: unknown): Promise<void>
  /**
   * The schedule slot this run is for (a tick or trigger of a scheduled job), else null. Use it rather
   * than the clock to decide what a late or caught-up run acts on: `periodOf('month', ctx.slot, tz)`.
   */
  slot: Date | null
  /** Whether this run was forced (`trigger(..., { force: true })`, the HTTP body's `force` / `force_invoke`). */
  forced: boolean
  /**
   * Exactly-once effects in the queue's database: runs `fn(tx)` in one transaction and, in the same
   * transaction, completes this run's job with `fn`'s return value as its result. The writes and the
   * completion commit together or not at all, so a run that lost its job (lease expired and the job was
   * claimed again, cancelled) never lands its writes; see docs/guarantees.md.
   *
   * - `fn` throws: everything rolls back and `transaction` rethrows; thrown on out of the handler, the
   *   attempt fails as usual (retry policy, `JobFailError`, …).
   * - The completion's fence (this run's token, this worker's lock) matches no row: everything rolls
   *   back, the run is aborted through `ctx.signal`, `transaction` throws a `NightshiftError` with code
   *   `lease_lost`, and the run records nothing more (another run owns the job).
   * - It committed: the job is `completed` with `fn`'s result. What the handler returns or throws
   *   afterwards changes nothing; the runner writes no second completion. Once per run.
   *
   * `tx` is a node-postgres client inside the transaction (plain BEGIN/COMMIT on one pooled connection,
   * no session state: it works through a transaction-mode pooler). `{ db: pool }` opens it on the app's
   * pg Pool instead of the queue's pool. `{ db: kysely }` opens it with the app's Kysely instance, and
   * `tx` is then that Kysely `Transaction<DB>`, typed by the app's database interface (second overload).
   * Either must reach the queue's database. The connection is held while `fn` runs: give the pool more
   * connections than jobs run at once. Nothing outside the database becomes once: an HTTP call made in
   * `fn` may still repeat (use the API's idempotency key where it has one).
   *
   * Why the job row is not locked at the start: the completion's UPDATE is the fence and locks the row
   * until the commit, so a reaper, cancel or claim that comes later waits and then finds it completed;
   * locking it `FOR UPDATE` at the start would make them wait for all of `fn` and make nothing more
   * correct, since a run that lost its job before the end rolls back (River's `JobCompleteTx` also
   * completes at the end of the caller's transaction).
   *
   * @example
   * const billMonth = defineJob({
   *   name: 'generate-monthly-invoices',
   *   run: (_input, ctx) =>
   *     ctx.transaction(async (tx) => {
   *       const { rowCount } = await tx.query('insert into invoices (month) values ($1)', ['2026-11'])
   *       return { invoices: rowCount } // the job's result, committed with the invoices
   *     }),
   * })
   */
  transaction<T>(fn: (tx: TransactionClient) => Promise<T> | T, options?: JobTransactionOptions): Promise<T>
  /**
   * `ctx.transaction` on the app's Kysely instance: `fn` gets the app's own `Transaction<DB>`, typed by
   * its database interface, and the job's completion commits on that same transaction. Same contract as
   * above (fenced completion, rollback on a lost lease or a throw, once per run).
   *
   * @example
   * const db = new Kysely<AppDatabase>({ dialect: new PostgresDialect({ pool }) })
   * const billMonth = defineJob({
   *   name: 'generate-monthly-invoices',
   *   run: (_input, ctx) =>
   *     ctx.transaction(async (trx) => {
   *       const rows = await trx.insertInto('invoices').values({ month: '2026-11' }).returning('id').execute()
   *       return { invoices: rows.length }
   *     }, { db }),
   * })
   */
  transaction<DB, T>(
    fn: (tx: Transaction<DB>) => Promise<T> | T,
    options: KyselyTransactionOptions<DB>,
  ): Promise<T>
}

/** What `defineJob` takes. */
export interface JobOptions<Name extends string, Schema extends InputSchema, Result> {
  /** Stable kebab-case name, stored in the `type` column; never rename a job that has rows. */
  name: Name
  /** Validates input on enqueue and again before each run. Omit for jobs without input. */
  input?: Schema
  /** Attempts before the job is `failed`. Default 5. */
  maxAttempts?: number
  backoff?: BackoffOptions
  /** The handler's signal is aborted after this long and the attempt fails. Default: none. */
  timeoutMs?: number
  /** Higher runs first. Default 0. */
  priority?: number
  /** A queue name, for workers that only take some queues. Default `default`. */
  queue?: string
  /**
   * Runs the job on a cron schedule: `'0 2 * * *'` (UTC), or `{ cron, timezone, catchUp }`. The job's
   * input schema must accept `{}`, which is what each slot runs with: `defineJob` refuses a scheduled
   * job with required input fields (make them optional or give them defaults). See docs/schedules.md.
   */
  // `Record<never, never>` is `{}`, the input of every slot.
  schedule?: Record<never, never> extends SchemaInput<Schema>
    ? ScheduleOptions
    : ScheduledInputMustAcceptEmpty
  run: (input: SchemaOutput<Schema>, ctx: JobContext) => Promise<Result> | Result
}

/**
 * What `schedule` is typed as when the job's input has required fields: nothing can be given, so tsc
 * reports this name where the schedule is (`defineJob` refuses it at run time too).
 *
 * @example
 * defineJob({
 *   name: 'daily-digest',
 *   input: z.object({ to: z.email() }),
 *   schedule: '0 7 * * *', // error: not assignable to type 'ScheduledInputMustAcceptEmpty'
 *   run: ({ to }) => send(to),
 * })
 */
export interface ScheduledInputMustAcceptEmpty {
  'each slot of a schedule runs with the input {}: make the input fields optional or give them defaults': never
}

/** A validated job definition, as `defineJob` returns it. */
export interface JobDefinition<
  Name extends string = string,
  Schema extends InputSchema = InputSchema,
  Result = unknown,
> {
  readonly name: Name
  readonly input: Schema
  readonly maxAttempts: number
  readonly backoff: Required<BackoffOptions>
  readonly timeoutMs: number | undefined
  readonly priority: number
  readonly queue: string
  /** The validated schedule, or undefined for a job that only runs when enqueued. */
  readonly schedule: Schedule | undefined
  readonly run: (input: SchemaOutput<Schema>, ctx: JobContext) => Promise<Result> | Result
}

// biome-ignore lint/suspicious/noExplicitAny: a list of definitions of any input and result
export type AnyJobDefinition = JobDefinition<string, any, any>

const namePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

function invalid(name: string, message: string): NightshiftError {
  return new NightshiftError('invalid_definition', `job "${name}": ${message}`)
}

/**
 * Defines a job: its name, input schema, retry policy and handler. Invalid options fail here, when the
 * module loads, not when the job first runs.
 *
 * @example
 * const sendEmail = defineJob({
 *   name: 'send-email',
 *   input: z.object({ to: z.email(), subject: z.string() }),
 *   maxAttempts: 5,
 *   run: async ({ to, subject }, ctx) => mailer.send({ to, subject, signal: ctx.signal }),
 * })
 */
export function defineJob<Name extends string, Schema extends InputSchema = typeof noInput, Result = unknown>(
  options: JobOptions<Name, Schema, Result>,
): JobDefinition<Name, Schema, Result> {
  const { name } = options
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw new NightshiftError(
      'invalid_definition',
      `job name ${JSON.stringify(name)} is not kebab-case (lower-case letters, digits and single dashes)`,
    )
  }
  if (reservedRouteNames.includes(name)) {
    throw new NightshiftError(
      'invalid_definition',
      `job name "${name}" is the name of an HTTP handler route (${reservedRouteNames.join(', ')}), so the job would be unreachable over HTTP; choose another name`,
    )
  }
  if (typeof options.run !== 'function') throw invalid(name, 'run must be a function')
  if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    throw invalid(name, `timeoutMs must be a positive number of milliseconds, got ${options.timeoutMs}`)
  }
  const backoff = { ...defaultBackoff, ...options.backoff }
  if (!(backoff.baseMs >= 0 && backoff.maxMs >= backoff.baseMs)) {
    throw invalid(name, 'backoff needs 0 <= baseMs <= maxMs')
  }
  const attemptsProblem =
    options.maxAttempts === undefined ? undefined : wholeNumberProblem(options.maxAttempts, { min: 1 })
  if (attemptsProblem !== undefined) throw invalid(name, `maxAttempts ${attemptsProblem}`)
  if (options.priority !== undefined && !Number.isInteger(options.priority)) {
    throw invalid(name, `priority must be a whole number, got ${options.priority}`)
  }
  const input = (options.input ?? noInput) as Schema
  const schedule =
    options.schedule === undefined ? undefined : parseSchedule(name, options.schedule as ScheduleOptions)
  if (schedule !== undefined) {
    const refused = slotInputProblem(input)
    if (refused !== undefined)
      throw invalid(
        name,
        `it has a schedule, and each slot runs with the input {}, which its input schema refuses (${refused}); make those fields optional or give them defaults (.optional(), .default(…))`,
      )
  }
  return Object.freeze({
    name,
    input,
    maxAttempts: options.maxAttempts ?? 5,
    backoff,
    timeoutMs: options.timeoutMs,
    priority: options.priority ?? 0,
    queue: options.queue ?? 'default',
    schedule,
    run: options.run,
  })
}

/**
 * Why `schema` refuses `{}`, the input every schedule slot runs with, or undefined when it accepts it. A
 * schema that validates asynchronously cannot be checked here; its slots are checked as they enqueue.
 */
function slotInputProblem(schema: InputSchema): string | undefined {
  try {
    const check = checkInput(schema, {})
    if (check instanceof Promise) {
      check.catch(() => {})
      return undefined
    }
    return check.ok ? undefined : check.text
  } catch (error) {
    // A refinement or transform that throws: it cannot be trusted with a slot's input.
    return error instanceof Error ? error.message : String(error)
  }
}
