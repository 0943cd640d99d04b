export type { AuthOptions, SecretList, TokenScope } from './auth-options.js'
export type { BackoffOptions } from './backoff.js'
export { backoffDelayMs } from './backoff.js'
export type { HandlerOptions } from './create-handler.js'
export { createHandler } from './create-handler.js'
export type {
  CreateJobsOptions,
  EnqueueItem,
  EnqueueOptions,
  InputOf,
  Jobs,
} from './create-jobs.js'
export { createJobs } from './create-jobs.js'
export type { AnyJobDefinition, JobContext, JobDefinition, JobOptions } from './define-job.js'
export { defineJob } from './define-job.js'
export type { InputIssue, NightshiftErrorCode } from './errors.js'
export { NightshiftError } from './errors.js'
export { JobTimeoutError } from './execute-job.js'
export type { JobRecord } from './get-job.js'
export type { HandlerJobs, TriggerResult } from './handler-routes.js'
export type { HttpErrorCode } from './http-responses.js'
export type { EnqueueResult } from './insert-jobs.js'
export { JobCancelError, JobSnoozeError } from './job-control.js'
export type { RunCounts } from './job-runner.js'
export type { Logger } from './logger.js'
export type { JobStatus } from './manage-jobs.js'
export { migrationSql } from './migrate.js'
export type { ProcessOptions, ProcessReport } from './process-jobs.js'
export type { QueueStats } from './queue-stats.js'
export { sign, signatureHeader } from './signed-request.js'
export type { ClientLike, DatabaseInput, PoolLike, SqlExecutor, TransactionInput } from './sql-executor.js'
export type { Worker, WorkerOptions } from './worker.js'
