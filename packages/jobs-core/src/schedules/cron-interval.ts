import { Cron } from 'croner'
import { NightshiftError } from '../errors.js'

// A fixed start keeps the answer the same on every run: the first of January 2001 was a Monday, so a
// sample from it meets every weekday and both month ends within its first months.
const sampleStart = new Date('2001-01-01T00:00:00Z')
const sampleRuns = 1000

/**
 * The shortest gap, in whole minutes, between two consecutive runs of a five-field cron expression,
 * read on a wall clock (time-zone changes aside). Hosts with a floor use it: GitHub Actions runs
 * schedules at most every 5 minutes (https://docs.github.com/actions/reference/events-that-trigger-workflows#schedule),
 * so `*\/2 * * * *` runs there far less often than it says. Throws a `NightshiftError` with code
 * `invalid_option` for an expression that is not five valid fields.
 *
 * @example
 * shortestCronIntervalMinutes('*\/2 * * * *') // 2
 * shortestCronIntervalMinutes('0,58 * * * *') // 2 (from :58 to the next :00)
 * shortestCronIntervalMinutes('0 2 * * *') // 1440
 */
export function shortestCronIntervalMinutes(cron: string): number {
  const fields = typeof cron === 'string' ? cron.trim().split(/\s+/).filter(Boolean) : []
  if (fields.length !== 5) {
    throw new NightshiftError(
      'invalid_option',
      `cron ${JSON.stringify(cron)} must have five fields (minute hour day-of-month month day-of-week)`,
    )
  }
  let pattern: Cron
  try {
    pattern = new Cron(fields.join(' '), { utcOffset: 0, paused: true })
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error)
    throw new NightshiftError('invalid_option', `cron ${JSON.stringify(cron)} is invalid: ${why}`, {
      cause: error,
    })
  }
  let shortest = Number.POSITIVE_INFINITY
  let previous = pattern.nextRun(new Date(sampleStart.getTime() - 1))
  for (let run = 1; previous && run < sampleRuns; run++) {
    const next = pattern.nextRun(previous)
    if (!next) break
    shortest = Math.min(shortest, (next.getTime() - previous.getTime()) / 60_000)
    previous = next
  }
  return shortest
}
