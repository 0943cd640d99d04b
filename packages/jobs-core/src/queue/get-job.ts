import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import { parseJobId } from './job-id.js'
import type { JobStatus } from './manage-jobs.js'

/** One job as stored. */
export interface JobRecord {
  id: string
  name: string
  queue: string
  status: JobStatus
  payload: unknown
  attempts: number
  maxAttempts: number
  priority: number
  errorMessage: string | null
  result: unknown
  /** What the handler last reported with `ctx.progress`, or null. */
  progress: unknown
  idempotencyKey: string | null
  scheduledFor: Date
  createdAt: Date
  updatedAt: Date
  /** When the current or last run started (its claim); null before the first. */
  startedAt: Date | null
  completedAt: Date | null
  lockedUntil: Date | null
}

/** The columns of a `JobRecord`, named as it names them (`getJob`, `listJobs`). */
export const jobRecordColumns = `id, type as name, queue, status, payload, attempts, max_attempts as "maxAttempts",
  priority, error_message as "errorMessage", result, progress, idempotency_key as "idempotencyKey",
  scheduled_for as "scheduledFor", created_at as "createdAt", updated_at as "updatedAt",
  started_at as "startedAt", completed_at as "completedAt", locked_until as "lockedUntil"`

/** Reads one job, or undefined when there is none with that id. */
export async function getJob(
  executor: SqlExecutor,
  schema: SchemaName,
  id: string,
): Promise<JobRecord | undefined> {
  const jobId = parseJobId(id)
  if (jobId === undefined) return undefined
  const rows = await executor.query<JobRecord>(
    `select ${jobRecordColumns} from ${schema.jobs} where id = $1`,
    [jobId],
  )
  return rows[0]
}
