import { NightshiftError } from '../errors.js'
import { wallClock, zonedMidnight } from './zoned-time.js'

/**
 * A calendar period a date falls in.
 *
 * @example
 * const unit: PeriodUnit = 'week'
 * periodOf(unit, new Date()).key // e.g. '2026-W48'
 */
export type PeriodUnit = 'month' | 'week' | 'day'

/**
 * One calendar period in a time zone: its key and its bounds (`start` inclusive, `end` exclusive).
 *
 * @example
 * const { key, start, end }: Period = periodOf('month', new Date('2026-11-28T10:00:00Z'))
 * // key '2026-11', start 2026-11-01T00:00Z, end 2026-12-01T00:00Z
 */
export interface Period {
  /** `2026-11` (month), `2026-W48` (ISO week, Monday to Sunday), `2026-11-28` (day). */
  key: string
  start: Date
  end: Date
}

const dayMs = 86_400_000

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0')
}

function checkZone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone })
  } catch {
    throw new NightshiftError(
      'invalid_option',
      `timezone ${JSON.stringify(timezone)} is not a known IANA time zone`,
    )
  }
}

/**
 * The month, ISO week or day that `date` falls in, as the clocks of `timezone` show it (default UTC).
 * Use its `key` as an idempotency key for "acts once per period" jobs.
 *
 * @example
 * periodOf('month', new Date('2026-11-28T10:00:00Z'))
 * // { key: '2026-11', start: 2026-11-01T00:00:00Z, end: 2026-12-01T00:00:00Z }
 * periodOf('week', new Date('2026-11-28T10:00:00Z')).key // '2026-W48'
 * periodOf('day', new Date('2026-11-28T23:30:00Z'), 'Europe/Berlin').key // '2026-11-29'
 */
export function periodOf(unit: PeriodUnit, date: Date, timezone = 'UTC'): Period {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new NightshiftError('invalid_option', 'periodOf needs a valid Date')
  }
  checkZone(timezone)
  const { year, month, day } = wallClock(date, timezone)
  switch (unit) {
    case 'month':
      return {
        key: `${pad(year, 4)}-${pad(month)}`,
        start: zonedMidnight(year, month, 1, timezone),
        end: zonedMidnight(year, month + 1, 1, timezone),
      }
    case 'day':
      return {
        key: `${pad(year, 4)}-${pad(month)}-${pad(day)}`,
        start: zonedMidnight(year, month, day, timezone),
        end: zonedMidnight(year, month, day + 1, timezone),
      }
    case 'week': {
      // ISO 8601: weeks start on Monday; week 1 holds the year's first Thursday.
      const local = Date.UTC(year, month - 1, day)
      const weekday = (new Date(local).getUTCDay() + 6) % 7 // Monday 0 … Sunday 6
      const monday = new Date(local - weekday * dayMs)
      const thursday = new Date(monday.getTime() + 3 * dayMs)
      const isoYear = thursday.getUTCFullYear()
      const week = Math.floor((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / dayMs / 7) + 1
      const [y, m, d] = [monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate()]
      return {
        key: `${pad(isoYear, 4)}-W${pad(week)}`,
        start: zonedMidnight(y, m, d, timezone),
        end: zonedMidnight(y, m, d + 7, timezone),
      }
    }
    default:
      throw new NightshiftError(
        'invalid_option',
        `period unit must be month, week or day, got ${JSON.stringify(unit)}`,
      )
  }
}

/**
 * The period before the one `date` falls in (or `offset` periods away: -1 is the previous one, the
 * default; 0 is `periodOf`; 1 the next). A monthly job run every day bills the previous month once:
 *
 * @example
 * const month = previousPeriod('month', new Date(), 'Europe/London')
 * await jobs.enqueue('bill-month', { month: month.key }, { idempotencyKey: `bill-month@${month.key}` })
 */
export function previousPeriod(unit: PeriodUnit, date: Date, timezone = 'UTC', offset = -1): Period {
  if (!Number.isInteger(offset)) {
    throw new NightshiftError('invalid_option', `offset must be a whole number, got ${offset}`)
  }
  let period = periodOf(unit, date, timezone)
  for (let step = 0; step > offset; step--)
    period = periodOf(unit, new Date(period.start.getTime() - 1), timezone)
  for (let step = 0; step < offset; step++) period = periodOf(unit, period.end, timezone)
  return period
}
