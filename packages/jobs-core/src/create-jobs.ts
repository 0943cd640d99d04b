import { statisticsGatherer } from './db/gather-statistics.js'
import { runMigrations } from './db/migrate.js'
import { type SchemaName, schemaName } from './db/schema-name.js'
import {
  type DatabaseInput,
  executorFor,
  openDatabase,
  type SqlExecutor,
  type TransactionInput,
} from './db/sql-executor.js'
import type { AnyJobDefinition } from './define-job.js'
import { NightshiftError } from './errors.js'
import type { TriggerResult } from './http/handler-routes.js'
import { checkInput, type InputCheck, type SchemaInput } from './input-schema.js'
import { type JobEventMap, type JobEventName, JobEvents } from './job-events.js'
import { type Logger, type LoggerInput, toLogger } from './logger.js'
import { enqueueWithKeyMode, type KeyConflictMode, keyConflictModes } from './queue/enqueue-with-key-mode.js'
import { getJob, type JobRecord } from './queue/get-job.js'
import { type EnqueueResult, insertJobs, type NewJobRow } from './queue/insert-jobs.js'
import type { JobFilter } from './queue/job-filter.js'
import { parseJobId } from './queue/job-id.js'
import { type JobPage, type ListJobsOptions, listJobs } from './queue/list-jobs.js'
import { cancelJob, purgeJobs, retryJob } from './queue/manage-jobs.js'
import { cancelJobs, retryJobs } from './queue/manage-matching-jobs.js'
import { type QueueMetrics, queueMetrics } from './queue/queue-metrics.js'
import { type QueueStats, queueStats } from './queue/queue-stats.js'
import { parseSchedule } from './schedules/cron-schedule.js'
import { listSchedules, type ScheduleInfo } from './schedules/list-schedules.js'
import { type TickReport, tickSchedules } from './schedules/tick-schedules.js'
import { type TriggerOptions, triggerJob } from './schedules/trigger-job.js'
import { wholeNumberProblem } from './whole-number.js'
import type { AroundRun, JobRunner, RunnerContext } from './worker/job-runner.js'
import { type ProcessOptions, type ProcessReport, processJobs } from './worker/process-jobs.js'
import { settleWithin } from './worker/settle-within.js'
import { handBackGraceMs } from './worker/stop-worker.js'
import { startWorker, type Worker, type WorkerOptions } from './worker/worker.js'

type KeyedRow = NewJobRow & { idempotencyKey: string }

/** Options of `createJobs`. */
export interface CreateJobsOptions<Definitions extends readonly AnyJobDefinition[]> {
  /** A connection string (nightshift opens and closes a Pool), a node-postgres Pool, or a Kysely. */
  db: DatabaseInput
  jobs: Definitions
  /** Schema of nightshift's tables. Default `nightshift`. */
  schema?: string
  /** How long a claim holds a job before another worker may take it. Default 60,000 ms. */
  leaseMs?: number
  /**
   * Where nightshift logs: a `Logger` (or `console`), pino as it is, `fieldsFirst(logger)` for other
   * fields-first loggers, or `false`. Default: warnings and errors to stderr, one line each
   * (`consoleLogger()`): every failed attempt, final failure, lost or expired lease and hand-back.
   */
  logger?: LoggerInput
  /**
   * Wraps every handler run (worker, `process()`, `trigger`): for tracing, a span started here is the
   * parent of the handler's own spans. See `AroundRun` and examples/opentelemetry.
   */
  aroundRun?: AroundRun
  /** Pending jobs due for longer than this count as stuck in `stats()`. Default 10 minutes. */
  stuckAfterMs?: number
  /** Pool size when `db` is a connection string. Default 10. */
  maxConnections?: number
  /**
   * Prepare the queue's hot statements once per connection (on a connection string or a Pool; never
   * on your Kysely or transaction). Through a transaction-mode pooler that cannot keep them
   * (PgBouncer before 1.21, Supavisor on 6543) the first failure switches them off for good, before
   * anything ran, so it is safe to leave on; set `false` to never try. Default true.
   */
  preparedStatements?: boolean
  /**
   * With a connection string: how long opening a connection may take before it fails (and the worker
   * backs off and retries). Default 10,000 ms; 0 waits forever. Configure your own Pool's
   * `connectionTimeoutMillis` when you pass one.
   */
  connectTimeoutMs?: number
  /**
   * With a connection string: how long one of nightshift's statements may take before the client gives
   * up on it and drops its connection (client-side: through a transaction-mode pooler a
   * `statement_timeout` cannot be set at startup). Migrations run in a transaction without it.
   * Default 60,000 ms; 0 waits forever. Configure your own Pool's `query_timeout` when you pass one.
   *
   * @example
   * createJobs({ db: process.env.DATABASE_URL, jobs, connectTimeoutMs: 5_000, queryTimeoutMs: 30_000 })
   */
  queryTimeoutMs?: number
}

/** The names of a set of job definitions. */
export type NameOf<Definitions extends readonly AnyJobDefinition[]> = Definitions[number]['name']
/** The definition of the job called `Name` among a set of definitions. */
export type DefinitionOf<Definitions extends readonly AnyJobDefinition[], Name> = Extract<
  Definitions[number],
  { name: Name }
>
/** The input a job accepts, as its schema's input type. */
export type InputOf<Definitions extends readonly AnyJobDefinition[], Name> = SchemaInput<
  DefinitionOf<Definitions, Name>['input']
>

/** What a job's handler returns, as stored in `result` (JSON). */
export type ResultOf<Definitions extends readonly AnyJobDefinition[], Name> = Awaited<
  ReturnType<DefinitionOf<Definitions, Name>['run']>
>

/**
 * A stored job, typed by its name: check `name` and `payload` and `result` take that job's types
 * (`payload` as enqueued, the schema's input; `result` once it completed, else null). A row written by a
 * job this code no longer defines still reads, as a plain `JobRecord`.
 *
 * @example
 * const job = await jobs.getJob(id)
 * if (job?.name === 'send-email') console.log(job.payload.to, job.result?.sent)
 */
export type JobRecordOf<Definitions extends readonly AnyJobDefinition[]> = {
  [Name in NameOf<Definitions>]: Omit<JobRecord, 'name' | 'payload' | 'result'> & {
    name: Name
    payload: InputOf<Definitions, Name>
    result: ResultOf<Definitions, Name> | null
  }
}[NameOf<Definitions>]

/** Options of one enqueue. */
export interface EnqueueOptions {
  /** When the job becomes due. Default now. */
  runAt?: Date
  /**
   * A second enqueue of the same job name with the same key makes no row and returns the first job's id.
   * Keys are scoped per job name: another job may use the same key.
   */
  idempotencyKey?: string
  /**
   * What happens when a job of this name already has the key: `keep` (default: return it, once per
   * key), `reuse-finished` (a new job once the old one finished), `replace` (a pending job takes the new
   * input and options: a debounce). See `KeyConflictMode`.
   *
   * @example
   * await jobs.enqueue('sync-calendar', { userId }, { idempotencyKey: `user:${userId}`, onKeyConflict: 'replace', runAt: inFiveMinutes })
   */
  onKeyConflict?: KeyConflictMode
  priority?: number
  maxAttempts?: number
  /** Enqueue inside the caller's transaction: a pg client or a Kysely transaction. */
  db?: TransactionInput
}

/** One job of `enqueueMany`. */
export type EnqueueItem<Definitions extends readonly AnyJobDefinition[]> = {
  [Name in NameOf<Definitions>]: { name: Name; input: InputOf<Definitions, Name> } & Omit<
    EnqueueOptions,
    'db'
  >
}[NameOf<Definitions>]

/** The queue, as `createJobs` returns it. */
export interface Jobs<Definitions extends readonly AnyJobDefinition[] = readonly AnyJobDefinition[]> {
  readonly schema: string
  readonly definitions: ReadonlyMap<string, AnyJobDefinition>
  /** Creates or updates nightshift's tables; idempotent and safe when many processes start at once. */
  migrate(): Promise<{ applied: number[] }>
  enqueue<Name extends NameOf<Definitions>>(
    name: Name,
    input: InputOf<Definitions, Name>,
    options?: EnqueueOptions,
  ): Promise<EnqueueResult>
  /** Enqueues many jobs in one round trip; results are in the order given. */
  enqueueMany(
    items: readonly EnqueueItem<Definitions>[],
    options?: { db?: TransactionInput },
  ): Promise<EnqueueResult[]>
  process(options?: ProcessOptions): Promise<ProcessReport>
  worker(options?: WorkerOptions): Worker
  stats(): Promise<QueueStats>
  /**
   * Per job name: due jobs (the depth), jobs not yet due, running jobs, the oldest due job's age and the
   * runs finished in the last minute. For OpenTelemetry gauges or your own scrape route;
   * `prometheusText(metrics)` formats it as `GET <base>/metrics` answers.
   *
   * @example
   * const { jobs: byName } = await jobs.metrics()
   * for (const job of byName) gauge.record(job.due, { job: job.name })
   */
  metrics(): Promise<QueueMetrics>
  /**
   * Jobs matching a filter (names, statuses, idempotency key, creation time), newest first, a page at a
   * time: pass the page's `nextCursor` for the next. See `ListJobsOptions`.
   *
   * @example
   * const { jobs: failed, nextCursor } = await jobs.listJobs({ statuses: ['failed'], limit: 100 })
   */
  listJobs(options?: ListJobsOptions): Promise<JobPage<JobRecordOf<Definitions>>>
  /**
   * Retries every `failed` or `cancelled` job matching the filter; returns how many. A filter is
   * required (an empty one is refused).
   *
   * @example
   * await jobs.retryJobs({ names: ['send-whatsapp'], statuses: ['failed'] })
   */
  retryJobs(filter: JobFilter): Promise<number>
  /**
   * Cancels every `pending` or `processing` job matching the filter; returns how many. A filter is
   * required (an empty one is refused).
   *
   * @example
   * await jobs.cancelJobs({ names: ['create-zoom-meeting'], statuses: ['pending'] })
   */
  cancelJobs(filter: JobFilter): Promise<number>
  /**
   * One job, or undefined when there is none with that id. Typed by its name: see `JobRecordOf`.
   *
   * @example
   * const job = await jobs.getJob(id)
   * if (job?.name === 'send-email' && job.status === 'completed') console.log(job.result)
   */
  getJob(id: string | number): Promise<JobRecordOf<Definitions> | undefined>
  retry(id: string | number): Promise<void>
  cancel(id: string | number): Promise<boolean>
  purge(options: {
    olderThan: Date | number
    statuses?: ('completed' | 'failed' | 'cancelled')[]
  }): Promise<number>
  /**
   * Stops workers (graceful, up to `timeoutMs`, see `Worker.stop`), interrupts runs of `process()` and
   * `trigger()` still going, and closes the pool nightshift opened. Settles within `timeoutMs` and a
   * few seconds whatever the database does.
   *
   * @example
   * await jobs.close({ timeoutMs: 10_000 })
   */
  close(options?: { timeoutMs?: number }): Promise<void>
  /**
   * Resolves once no job that `process()` or `trigger()` left running past its deadline is still
   * running (they are recorded by then). A host that may end the process after answering keeps it
   * alive with this, e.g. Supabase's `EdgeRuntime.waitUntil(jobs.whenIdle())`.
   *
   * @example
   * const report = await jobs.process({ limit: 10, deadlineMs: 5_000 })
   * if (report.running > 0) await jobs.whenIdle()
   */
  whenIdle(): Promise<void>
  /**
   * Enqueues every due slot of every scheduled job once (key `<job>@<slot ISO>`), by each job's
   * catch-up policy, and moves the schedule ledger on. Safe to call from many places at once.
   *
   * @example
   * const { enqueued } = await jobs.tick()
   * await jobs.process({ limit: enqueued.length || 1 })
   */
  tick(options?: { now?: Date }): Promise<TickReport>
  /**
   * Runs a job now, safely repeatable: a scheduled job runs its current slot once however often it is
   * triggered (`already-done` / `running` for the others); `force` runs it again on purpose. Typed like
   * `enqueue`: the name is one of the defined jobs and the input that job's input type.
   *
   * @example
   * const { status, jobId, slot } = await jobs.trigger('nightly-report', {}, { waitMs: 20_000 })
   */
  trigger<Name extends NameOf<Definitions>>(
    name: Name,
    input: InputOf<Definitions, Name>,
    options?: TriggerOptions,
  ): Promise<TriggerResult>
  /**
   * Every schedule with a plain-English description, its last slot and its next runs.
   *
   * @example
   * console.table(await jobs.schedules({ count: 1 }))
   */
  schedules(options?: { now?: Date; count?: number }): Promise<ScheduleInfo[]>
  /**
   * Calls `listener` on every `event` of this queue's runs (worker, `process()` and `trigger` alike):
   * `job:start`, `job:success`, `job:retry`, `job:failed`, `job:cancelled`, `job:lost`, `job:released`,
   * `lease:expired`, `worker:error`. Returns the function that stops it. See `JobEvents`.
   *
   * @example
   * jobs.on('job:failed', (event) => alert(`${event.name} #${event.jobId} failed: ${event.error}`))
   * jobs.on('job:success', (event) => histogram.observe({ job: event.name }, event.durationMs / 1000))
   */
  on<Name extends JobEventName>(event: Name, listener: (event: JobEventMap[Name]) => void): () => void
  /** The executor nightshift uses, for the core's own modules (schedules, HTTP). */
  readonly executor: SqlExecutor
  readonly schemaName: SchemaName
  readonly logger: Logger
}

function randomId(): string {
  return crypto.randomUUID().slice(0, 8)
}

function jobId(id: string | number): string {
  const parsed = parseJobId(id)
  if (parsed === undefined) throw new NightshiftError('job_not_found', `no job with id ${JSON.stringify(id)}`)
  return parsed
}

function milliseconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const problem = wholeNumberProblem(value, { min: 0 })
  if (problem !== undefined) throw new NightshiftError('invalid_option', `${name} ${problem}`)
  return value
}

/**
 * Creates the queue for a set of job definitions.
 *
 * @example
 * const jobs = createJobs({ db: process.env.DATABASE_URL, jobs: [sendEmail] })
 * await jobs.migrate()
 * await jobs.enqueue('send-email', { to: 'ada@example.com', subject: 'Hi' })
 * const report = await jobs.process({ limit: 10 })
 */
export function createJobs<const Definitions extends readonly AnyJobDefinition[]>(
  options: CreateJobsOptions<Definitions>,
): Jobs<Definitions> {
  const schema = schemaName(options.schema ?? 'nightshift')
  const leaseMs = options.leaseMs ?? 60_000
  const leaseProblem = wholeNumberProblem(leaseMs, { min: 100, unit: 'ms' })
  if (leaseProblem !== undefined) throw new NightshiftError('invalid_option', `leaseMs ${leaseProblem}`)
  const logger = toLogger(options.logger)
  const events = new JobEvents(logger)
  const definitions = new Map<string, AnyJobDefinition>()
  for (const definition of options.jobs) {
    if (definitions.has(definition.name)) {
      throw new NightshiftError('invalid_definition', `job "${definition.name}" is defined twice`)
    }
    if (definition.schedule !== undefined) parseSchedule(definition.name, definition.schedule)
    definitions.set(definition.name, definition)
  }
  const database = openDatabase(options.db, {
    maxConnections: options.maxConnections ?? 10,
    preparedStatements: options.preparedStatements ?? true,
    connectTimeoutMs: milliseconds('connectTimeoutMs', options.connectTimeoutMs, 10_000),
    queryTimeoutMs: milliseconds('queryTimeoutMs', options.queryTimeoutMs, 60_000),
  })
  const { executor } = database
  const workers = new Set<Worker>()
  const backgroundRunners = new Set<JobRunner>()
  const instance = randomId()
  // Once per instance: the first backlog a claim finds on a table without statistics analyzes it.
  const backlogSeen = statisticsGatherer(executor, schema, logger)
  // What every way of running jobs gets, under a lease id of its own (`worker:…`, `process:…`, `trigger:…`).
  const runnerContext = (kind: string): RunnerContext => ({
    executor,
    schema,
    definitions,
    leaseMs,
    logger,
    events,
    aroundRun: options.aroundRun,
    workerId: `${kind}:${instance}:${randomId()}`,
  })
  // A runner whose runs outlive their call (`process()` or `trigger` past its deadline): `close()` stops it.
  const track = (runner: JobRunner) => {
    backgroundRunners.add(runner)
    void runner.whenIdle().then(() => backgroundRunners.delete(runner))
  }

  function keyMode(mode: KeyConflictMode | undefined, row: NewJobRow): KeyConflictMode {
    if (mode === undefined || mode === 'keep') return 'keep'
    if (!keyConflictModes.includes(mode))
      throw new NightshiftError(
        'invalid_option',
        `onKeyConflict must be one of ${keyConflictModes.join(', ')}, got ${JSON.stringify(mode)}`,
      )
    if (row.idempotencyKey === undefined)
      throw new NightshiftError('invalid_option', `onKeyConflict: '${mode}' needs an idempotencyKey`)
    return mode
  }

  // Sync when the job's schema validates synchronously (no promise per row in a bulk enqueue).
  function toRow(
    name: string,
    input: unknown,
    item: Omit<EnqueueOptions, 'db' | 'onKeyConflict'>,
  ): NewJobRow | Promise<NewJobRow> {
    const definition = definitions.get(name)
    if (!definition) {
      throw new NightshiftError(
        'unknown_job',
        `no job named ${JSON.stringify(name)}; known jobs: ${[...definitions.keys()].join(', ') || '(none)'}`,
      )
    }
    const attemptsProblem =
      item.maxAttempts === undefined ? undefined : wholeNumberProblem(item.maxAttempts, { min: 1 })
    if (attemptsProblem !== undefined) {
      throw new NightshiftError('invalid_option', `maxAttempts ${attemptsProblem}`)
    }
    if (item.priority !== undefined && !Number.isInteger(item.priority)) {
      throw new NightshiftError('invalid_option', `priority must be a whole number, got ${item.priority}`)
    }
    if (item.runAt !== undefined && !(item.runAt instanceof Date && !Number.isNaN(item.runAt.getTime()))) {
      throw new NightshiftError('invalid_option', 'runAt must be a valid Date')
    }
    if (
      item.idempotencyKey !== undefined &&
      (typeof item.idempotencyKey !== 'string' || item.idempotencyKey === '')
    ) {
      throw new NightshiftError('invalid_option', 'idempotencyKey must be a non-empty string')
    }
    const row = (check: InputCheck<unknown>): NewJobRow => {
      if (!check.ok) {
        throw new NightshiftError('invalid_input', `invalid input for job "${name}": ${check.text}`, {
          issues: check.issues,
        })
      }
      return {
        type: name,
        queue: definition.queue,
        // The input as given is stored, and parsed again before each run: transforms run once per run.
        payload: input ?? {},
        priority: item.priority ?? definition.priority,
        maxAttempts: item.maxAttempts ?? definition.maxAttempts,
        runAt: item.runAt,
        idempotencyKey: item.idempotencyKey,
      }
    }
    const check = checkInput(definition.input, input)
    return check instanceof Promise ? check.then(row) : row(check)
  }

  const jobs: Jobs<Definitions> = {
    schema: schema.name,
    schemaName: schema,
    definitions,
    executor,
    logger,
    async migrate() {
      return { applied: await runMigrations(executor, schema) }
    },
    async enqueue(name, input, enqueueOptions = {}) {
      const { db, onKeyConflict, ...item } = enqueueOptions
      const row = await toRow(name, input, item)
      const mode = keyMode(onKeyConflict, row)
      const target = db ? executorFor(db) : executor
      if (mode !== 'keep') return enqueueWithKeyMode(target, schema, row as KeyedRow, mode)
      const [result] = await insertJobs(target, schema, [row])
      return result as EnqueueResult
    },
    async enqueueMany(items, manyOptions = {}) {
      // Every item is checked before anything is written: one bad item writes no row.
      const made = items.map(({ name, input, ...item }) => toRow(name, input, item))
      const checked = made.some((row) => row instanceof Promise)
        ? await Promise.all(made)
        : (made as NewJobRow[])
      const rows = checked.map((row, index) => ({ row, mode: keyMode(items[index]?.onKeyConflict, row) }))
      const target = manyOptions.db ? executorFor(manyOptions.db) : executor
      if (rows.every(({ mode }) => mode === 'keep'))
        return insertJobs(
          target,
          schema,
          rows.map(({ row }) => row),
        )
      // Key modes other than `keep` decide per row: one transaction, row by row, in order.
      return target.transaction(async (tx) => {
        const results: EnqueueResult[] = []
        for (const { row, mode } of rows)
          results.push(
            mode === 'keep'
              ? ((await insertJobs(tx, schema, [row]))[0] as EnqueueResult)
              : await enqueueWithKeyMode(tx, schema, row as KeyedRow, mode),
          )
        return results
      })
    },
    process(processOptions) {
      return processJobs({ ...runnerContext('process'), track, backlogSeen }, processOptions)
    },
    worker(workerOptions) {
      const worker = startWorker(
        { ...runnerContext('worker'), pool: database.pool, backlogSeen },
        workerOptions,
      )
      workers.add(worker)
      return worker
    },
    tick(tickOptions = {}) {
      return tickSchedules({ executor, schema, definitions, toRow, logger }, tickOptions.now ?? new Date())
    },
    trigger(name, input, triggerOptions) {
      return triggerJob({ ...runnerContext('trigger'), toRow, track }, name, input, triggerOptions)
    },
    on(event, listener) {
      return events.on(event, listener)
    },
    schedules(listOptions = {}) {
      return listSchedules(executor, schema, definitions, {
        now: listOptions.now ?? new Date(),
        count: listOptions.count ?? 3,
      })
    },
    metrics() {
      return queueMetrics(executor, schema)
    },
    listJobs(listOptions = {}) {
      return listJobs(executor, schema, listOptions) as Promise<JobPage<JobRecordOf<Definitions>>>
    },
    retryJobs(filter) {
      return retryJobs(executor, schema, filter)
    },
    cancelJobs(filter) {
      return cancelJobs(executor, schema, filter)
    },
    stats() {
      return queueStats(executor, schema, { stuckAfterMs: options.stuckAfterMs ?? 600_000 })
    },
    getJob(id) {
      return getJob(executor, schema, String(id)) as Promise<JobRecordOf<Definitions> | undefined>
    },
    retry(id) {
      return retryJob(executor, schema, jobId(id))
    },
    cancel(id) {
      return cancelJob(executor, schema, jobId(id))
    },
    purge({ olderThan, statuses = ['completed', 'cancelled'] }) {
      const before = olderThan instanceof Date ? olderThan : new Date(Date.now() - olderThan)
      return purgeJobs(executor, schema, before, statuses)
    },
    async whenIdle() {
      // A runner leaves the set once idle; one tracked while waiting is waited for too.
      while (backgroundRunners.size > 0) {
        await Promise.all([...backgroundRunners].map((runner) => runner.whenIdle()))
      }
    },
    async close(closeOptions = {}) {
      await Promise.all([...workers].map((worker) => worker.stop(closeOptions)))
      for (const runner of backgroundRunners) runner.interruptAll('the queue was closed')
      // Bounded like a worker's stop: a database that stopped answering must not hold close() forever.
      const idle = Promise.all([...backgroundRunners].map((runner) => runner.whenIdle()))
      await settleWithin(idle, handBackGraceMs)
      // The pool ends once its connections are back; one stuck in a statement is dropped at its query
      // timeout, after close() has returned.
      if (!(await settleWithin(database.close(), handBackGraceMs))) {
        logger.warn(
          'nightshift: closed without the database answering; its connections close on their timeouts',
        )
      }
    },
  }
  return jobs
}
