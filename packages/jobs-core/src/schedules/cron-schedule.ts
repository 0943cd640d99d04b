import { Cron } from 'croner'
import { NightshiftError } from '../errors.js'

/**
 * What to do with slots that passed without a tick (a deploy, a dropped GitHub cron run, a database
 * outage): `'latest'` (the default) runs only the most recent missed slot; `'none'` runs a slot only
 * when no earlier one was missed since the last tick; `{ max: n }` runs up to the `n` most recent
 * missed slots, oldest first.
 *
 * @example
 * defineJob({ name: 'bill-day', schedule: { cron: '0 3 * * *', catchUp: { max: 31 } }, run })
 */
export type CatchUpPolicy = 'none' | 'latest' | { max: number }

/**
 * A schedule as `defineJob({ schedule })` takes it: a five-field cron expression, or an object.
 *
 * @example
 * const daily: ScheduleOptions = '0 2 * * *'
 * const london: ScheduleOptions = { cron: '30 1 * * *', timezone: 'Europe/London', catchUp: 'none' }
 */
export type ScheduleOptions =
  | string
  | {
      /** Five fields: minute hour day-of-month month day-of-week, e.g. `'0 2 * * *'`. */
      cron: string
      /** IANA time zone the expression is read in. Default `'UTC'`. */
      timezone?: string
      /** Default `'latest'`. */
      catchUp?: CatchUpPolicy
    }

/**
 * A validated schedule, as `definition.schedule` holds it.
 *
 * @example
 * defineJob({ name: 'nightly', schedule: '0 2 * * *', run }).schedule
 * // { cron: '0 2 * * *', timezone: 'UTC', catchUp: 'latest' }
 */
export interface Schedule {
  readonly cron: string
  readonly timezone: string
  readonly catchUp: CatchUpPolicy
}

const fieldNames = 'minute hour day-of-month month day-of-week'

function invalid(job: string, message: string): NightshiftError {
  return new NightshiftError('invalid_definition', `job "${job}": schedule ${message}`)
}

/** A time zone Intl knows, or undefined. */
function knownZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone })
    return true
  } catch {
    return false
  }
}

/**
 * Checks a job's schedule and fills in defaults; throws `invalid_definition` naming the job, the
 * field and why.
 */
export function parseSchedule(job: string, options: ScheduleOptions): Schedule {
  const spec = typeof options === 'string' ? { cron: options } : options
  if (typeof spec !== 'object' || spec === null) throw invalid(job, 'must be a cron string or { cron }')
  const { cron } = spec
  if (typeof cron !== 'string') throw invalid(job, `cron must be a string, got ${typeof cron}`)
  const fields = cron.trim().split(/\s+/).filter(Boolean)
  if (fields.length !== 5) {
    throw invalid(
      job,
      `cron ${JSON.stringify(cron)} has ${fields.length} field${fields.length === 1 ? '' : 's'}; it takes five (${fieldNames})`,
    )
  }
  const timezone = spec.timezone ?? 'UTC'
  if (typeof timezone !== 'string' || !knownZone(timezone)) {
    throw invalid(job, `timezone ${JSON.stringify(timezone)} is not a known IANA time zone`)
  }
  try {
    new Cron(fields.join(' '), { timezone, paused: true })
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error)
    throw invalid(job, `cron ${JSON.stringify(cron)} is invalid: ${why}`)
  }
  const catchUp = spec.catchUp ?? 'latest'
  if (
    !(
      catchUp === 'none' ||
      catchUp === 'latest' ||
      (typeof catchUp === 'object' &&
        catchUp !== null &&
        Number.isInteger(catchUp.max) &&
        catchUp.max >= 1 &&
        catchUp.max <= 1000)
    )
  ) {
    throw invalid(job, `catchUp must be 'none', 'latest' or { max: 1..1000 }, got ${JSON.stringify(catchUp)}`)
  }
  return Object.freeze({ cron: fields.join(' '), timezone, catchUp })
}
