import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import { NightshiftError } from '../errors.js'
import { wholeNumberProblem } from '../whole-number.js'
import { type JobRecord, jobRecordColumns } from './get-job.js'
import { filterConditions, type JobFilter } from './job-filter.js'
import { parseJobId } from './job-id.js'

/** What `jobs.listJobs` reads: a filter, a page size and where the page starts. */
export interface ListJobsOptions extends JobFilter {
  /** Jobs per page, 1–1000. Default 50. */
  limit?: number
  /** The `nextCursor` of the page before; leave it out for the first (newest) page. */
  cursor?: string
}

/** One page of jobs, newest first, and the cursor of the next page (null on the last). */
export interface JobPage<Record = JobRecord> {
  jobs: Record[]
  nextCursor: string | null
}

/**
 * Lists jobs matching a filter, newest first (by id), a page at a time. The cursor is the last id read,
 * so pages do not shift when jobs are added meanwhile.
 *
 * @example
 * let page = await jobs.listJobs({ statuses: ['failed'], names: ['send-whatsapp'], limit: 100 })
 * while (page.nextCursor) page = await jobs.listJobs({ statuses: ['failed'], cursor: page.nextCursor })
 */
export async function listJobs(
  executor: SqlExecutor,
  schema: SchemaName,
  options: ListJobsOptions,
): Promise<JobPage> {
  const limit = options.limit ?? 50
  const problem = wholeNumberProblem(limit, { min: 1, max: 1000 })
  if (problem !== undefined) throw new NightshiftError('invalid_option', `listJobs limit ${problem}`)
  const params: unknown[] = []
  const conditions = filterConditions(options, params)
  if (options.cursor !== undefined) {
    const after = parseJobId(options.cursor)
    if (after === undefined)
      throw new NightshiftError(
        'invalid_option',
        `listJobs cursor ${JSON.stringify(options.cursor)} is not one a page gave`,
      )
    params.push(after)
    conditions.push(`id < $${params.length}`)
  }
  params.push(limit + 1)
  const rows = await executor.query<JobRecord>(
    `select ${jobRecordColumns} from ${schema.jobs}
     ${conditions.length > 0 ? `where ${conditions.join(' and ')}` : ''}
     order by id desc limit $${params.length}`,
    params,
  )
  const jobs = rows.slice(0, limit)
  return { jobs, nextCursor: rows.length > limit ? (jobs[jobs.length - 1]?.id ?? null) : null }
}
