import { type JobFilter, type JobRecord, type JobStatus, type Jobs, NightshiftError } from '../src/index.js'
import { parseDuration } from './parse-duration.js'

/** What a command answers: the data (`--json` prints it), its lines for a person, and the exit code. */
export interface CommandAnswer {
  data: unknown
  text: string[]
  /** 0 done; 1 done, and the outcome is a failure (a job failed, not found, stuck jobs). */
  exitCode: 0 | 1
}

/** The options every `jobs …` command may filter by. */
export interface FilterFlags {
  name?: string[]
  status?: string[]
  key?: string
  'created-after'?: string
  'created-before'?: string
}

const done = (data: unknown, text: string[], exitCode: 0 | 1 = 0): CommandAnswer => ({ data, text, exitCode })

function list(values: readonly string[] | undefined): string[] | undefined {
  const all = values?.flatMap((value) => value.split(',')).filter((value) => value !== '')
  return all && all.length > 0 ? all : undefined
}

function time(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined
  const parsed = new Date(value)
  if (Number.isNaN(parsed.getTime()))
    throw new NightshiftError(
      'invalid_option',
      `--${flag} must be an ISO 8601 time, got ${JSON.stringify(value)}`,
    )
  return parsed
}

/** The filter the `--name`, `--status`, `--key`, `--created-after` and `--created-before` flags give. */
export function filterOf(flags: FilterFlags): JobFilter {
  const filter: JobFilter = {}
  const names = list(flags.name)
  if (names) filter.names = names
  const statuses = list(flags.status)
  if (statuses) filter.statuses = statuses as JobStatus[]
  if (flags.key !== undefined) filter.idempotencyKey = flags.key
  const after = time(flags['created-after'], 'created-after')
  if (after) filter.createdAfter = after
  const before = time(flags['created-before'], 'created-before')
  if (before) filter.createdBefore = before
  return filter
}

function line(job: JobRecord): string {
  const error = job.errorMessage ? `  ${job.errorMessage.slice(0, 80)}` : ''
  return `${job.id.padStart(8)}  ${job.status.padEnd(10)} ${job.name}  attempt ${job.attempts}/${job.maxAttempts}  ${job.updatedAt.toISOString()}${error}`
}

/** `stats`: counts by status, the oldest due job's age and stuck jobs; `failIfStuck` exits 1 on any. */
export async function statsCommand(jobs: Jobs, failIfStuck: boolean): Promise<CommandAnswer> {
  const stats = await jobs.stats()
  const counts = Object.entries(stats.counts).map(([status, count]) => `${status} ${count}`)
  return done(
    stats,
    [counts.join('  '), `oldest due job waited ${stats.oldestPendingSeconds} s; stuck ${stats.stuck}`],
    failIfStuck && stats.stuck > 0 ? 1 : 0,
  )
}

/** `jobs list`: a page of jobs (newest first) and the cursor of the next. */
export async function listCommand(
  jobs: Jobs,
  flags: FilterFlags & { limit?: string; cursor?: string },
): Promise<CommandAnswer> {
  const page = await jobs.listJobs({
    ...filterOf(flags),
    ...(flags.limit === undefined ? {} : { limit: Number(flags.limit) }),
    ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
  })
  const more = page.nextCursor ? [`more: --cursor ${page.nextCursor}`] : []
  return done(page, [...page.jobs.map(line), ...more])
}

/** `jobs show <id>`: one job, or exit 1 when there is none. */
export async function showCommand(jobs: Jobs, id: string): Promise<CommandAnswer> {
  const job = await jobs.getJob(id)
  if (!job) return done(null, [`no job with id ${id}`], 1)
  return done(job, [
    line(job),
    `payload ${JSON.stringify(job.payload)}`,
    `result ${JSON.stringify(job.result)}`,
  ])
}

/** `jobs retry|cancel <id>` or by filter: how many jobs changed. */
export async function changeCommand(
  jobs: Jobs,
  change: 'retry' | 'cancel',
  id: string | undefined,
  flags: FilterFlags,
): Promise<CommandAnswer> {
  if (id !== undefined) {
    if (change === 'retry') await jobs.retry(id)
    const changed = change === 'retry' ? true : await jobs.cancel(id)
    return done({ changed: changed ? 1 : 0 }, [
      changed ? `${change === 'retry' ? 'retried' : 'cancelled'} job ${id}` : `job ${id} had already ended`,
    ])
  }
  const count =
    change === 'retry' ? await jobs.retryJobs(filterOf(flags)) : await jobs.cancelJobs(filterOf(flags))
  return done({ changed: count }, [
    `${change === 'retry' ? 'retried' : 'cancelled'} ${count} job${count === 1 ? '' : 's'}`,
  ])
}

/** `jobs purge --older-than 7d [--status …]`: how many finished jobs were deleted. */
export async function purgeCommand(
  jobs: Jobs,
  olderThan: string | undefined,
  statuses: string[] | undefined,
): Promise<CommandAnswer> {
  if (olderThan === undefined)
    throw new NightshiftError('invalid_option', 'jobs purge needs --older-than (e.g. 30d)')
  const chosen = list(statuses) as ('completed' | 'failed' | 'cancelled')[] | undefined
  const deleted = await jobs.purge({
    olderThan: parseDuration(olderThan, '--older-than'),
    ...(chosen ? { statuses: chosen } : {}),
  })
  return done({ deleted }, [`deleted ${deleted} finished job${deleted === 1 ? '' : 's'}`])
}

/** `schedules`: each scheduled job, in plain English, with its next runs. */
export async function schedulesCommand(jobs: Jobs): Promise<CommandAnswer> {
  const schedules = await jobs.schedules({ count: 3 })
  return done(
    schedules,
    schedules.map(
      (schedule) =>
        `${schedule.name}: ${schedule.description}; next ${schedule.nextRuns.map((run) => run.utc).join(', ')}`,
    ),
  )
}

/** `trigger <job> [--force] [--input JSON]`: runs the job's current slot now; exit 1 when it failed. */
export async function triggerCommand(
  jobs: Jobs,
  name: string,
  input: string | undefined,
  force: boolean,
): Promise<CommandAnswer> {
  let parsed: unknown = {}
  if (input !== undefined) {
    try {
      parsed = JSON.parse(input)
    } catch {
      throw new NightshiftError(
        'invalid_option',
        `--input must be JSON, got ${JSON.stringify(input.slice(0, 60))}`,
      )
    }
  }
  const result = await jobs.trigger(name, parsed, { force })
  const failed = result.status === 'failed' || result.status === 'retrying'
  const detail = result.error ? `: ${result.error}` : ''
  return done(
    result,
    [`${name} job ${result.jobId} ${result.status}${result.slot ? ` (slot ${result.slot})` : ''}${detail}`],
    failed ? 1 : 0,
  )
}
