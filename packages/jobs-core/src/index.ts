/**
 * Job definitions, the queue, the worker, `process()`, schedules, the HTTP contract and the dashboard.
 *
 * @packageDocumentation
 * @module @nightshift/jobs-core
 */
export type {
  CreateJobsOptions,
  DefinitionOf,
  EnqueueItem,
  EnqueueOptions,
  InputOf,
  JobRecordOf,
  Jobs,
  NameOf,
  ResultOf,
} from './create-jobs.js'
export { createJobs } from './create-jobs.js'
export type { DashboardOptions, DashboardPanel } from './dashboard/dashboard-options.js'
export type { MigrationScript } from './db/migrate.js'
export { migrationScripts, migrationSql } from './db/migrate.js'
export type { SchemaName } from './db/schema-name.js'
export type {
  ClientLike,
  DatabaseInput,
  PoolLike,
  QueryOptions,
  SqlExecutor,
  TransactionInput,
} from './db/sql-executor.js'
export type {
  AnyJobDefinition,
  JobContext,
  JobDefinition,
  JobOptions,
  ScheduledInputMustAcceptEmpty,
} from './define-job.js'
export { defineJob } from './define-job.js'
export type { InputIssue, NightshiftErrorCode } from './errors.js'
export { NightshiftError } from './errors.js'
export type { AuthOptions, SecretList, TokenScope } from './http/auth/auth-options.js'
export type { SignedRequest } from './http/auth/signed-request.js'
export { sign, signatureHeader } from './http/auth/signed-request.js'
export type { Handler, HandlerOptions, HandlerRequestContext } from './http/create-handler.js'
export { createHandler } from './http/create-handler.js'
export type { HandlerJobs, TriggerResult } from './http/handler-routes.js'
export type { HttpErrorCode } from './http/http-responses.js'
export { prometheusText } from './http/prometheus-text.js'
export type { InputSchema, SchemaInput, SchemaOutput } from './input-schema.js'
export type {
  JobEndEvent,
  JobErrorEvent,
  JobEventJob,
  JobEventMap,
  JobEventName,
  JobRetryEvent,
} from './job-events.js'
export type { FieldsFirstLogger, Logger, LoggerInput, LogLevel } from './logger.js'
export { consoleLogger, fieldsFirst, silentLogger } from './logger.js'
export type { KeyConflictMode } from './queue/enqueue-with-key-mode.js'
export type { JobRecord } from './queue/get-job.js'
export type { EnqueueResult } from './queue/insert-jobs.js'
export type { JobFilter } from './queue/job-filter.js'
export type { JobPage, ListJobsOptions } from './queue/list-jobs.js'
export type { JobStatus } from './queue/manage-jobs.js'
export type { JobNameMetrics, QueueMetrics } from './queue/queue-metrics.js'
export type { FinishedStatus, QueueStats } from './queue/queue-stats.js'
export { shortestCronIntervalMinutes } from './schedules/cron-interval.js'
export type { CatchUpPolicy, Schedule, ScheduleOptions } from './schedules/cron-schedule.js'
export { describeCron } from './schedules/describe-schedule.js'
export { enqueueSlotSql } from './schedules/enqueue-slot-sql.js'
export type { ScheduleInfo } from './schedules/list-schedules.js'
export type { Period, PeriodUnit } from './schedules/period-of.js'
export { periodOf, previousPeriod } from './schedules/period-of.js'
export type { TickReport } from './schedules/tick-schedules.js'
export type { TriggerOptions } from './schedules/trigger-job.js'
export type { BackoffOptions } from './worker/backoff.js'
export { backoffDelayMs } from './worker/backoff.js'
export { JobTimeoutError } from './worker/execute-job.js'
export { JobCancelError, JobFailError, JobSnoozeError } from './worker/job-control.js'
export type { AroundRun, RunCounts } from './worker/job-runner.js'
export type {
  JobTransactionOptions,
  KyselyTransactionOptions,
  TransactionClient,
} from './worker/job-transaction.js'
export type { ProcessOptions, ProcessReport } from './worker/process-jobs.js'
export type { Worker, WorkerOptions } from './worker/worker.js'
