export type {
  CreateJobsOptions,
  EnqueueItem,
  EnqueueOptions,
  InputOf,
  Jobs,
} from './create-jobs.js'
export { createJobs } from './create-jobs.js'
export type { DashboardOptions, DashboardPanel } from './dashboard/dashboard-options.js'
export { migrationSql } from './db/migrate.js'
export type { ClientLike, DatabaseInput, PoolLike, SqlExecutor, TransactionInput } from './db/sql-executor.js'
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
export { sign, signatureHeader } from './http/auth/signed-request.js'
export type { Handler, HandlerOptions, HandlerRequestContext } from './http/create-handler.js'
export { createHandler } from './http/create-handler.js'
export type { HandlerJobs, TriggerResult } from './http/handler-routes.js'
export type { HttpErrorCode } from './http/http-responses.js'
export type { Logger } from './logger.js'
export type { JobRecord } from './queue/get-job.js'
export type { EnqueueResult } from './queue/insert-jobs.js'
export type { JobStatus } from './queue/manage-jobs.js'
export type { QueueStats } from './queue/queue-stats.js'
export type { CatchUpPolicy, Schedule, ScheduleOptions } from './schedules/cron-schedule.js'
export { describeCron } from './schedules/describe-schedule.js'
export type { ScheduleInfo } from './schedules/list-schedules.js'
export type { Period, PeriodUnit } from './schedules/period-of.js'
export { periodOf, previousPeriod } from './schedules/period-of.js'
export type { TickReport } from './schedules/tick-schedules.js'
export type { TriggerOptions } from './schedules/trigger-job.js'
export type { BackoffOptions } from './worker/backoff.js'
export { backoffDelayMs } from './worker/backoff.js'
export { JobTimeoutError } from './worker/execute-job.js'
export { JobCancelError, JobFailError, JobSnoozeError } from './worker/job-control.js'
export type { RunCounts } from './worker/job-runner.js'
export type {
  JobTransactionOptions,
  KyselyTransactionOptions,
  TransactionClient,
} from './worker/job-transaction.js'
export type { ProcessOptions, ProcessReport } from './worker/process-jobs.js'
export type { Worker, WorkerOptions } from './worker/worker.js'
