import { Cron } from 'croner'
import type { Schedule } from './cron-schedule.js'

const hourMs = 3_600_000
// Far enough back for any five-field expression that fires at all (29 February comes every 4-8 years).
const longestGapMs = 9 * 366 * 24 * hourMs

function cronOf(schedule: Schedule): Cron {
  return new Cron(schedule.cron, { timezone: schedule.timezone, paused: true })
}

/**
 * The slots of a schedule after `after`, strictly, up to `count`. In time zones with daylight saving,
 * a wall-clock time the clocks skip fires once, shifted forward by the gap (01:30 on the spring-forward
 * day in Europe/London fires at 02:30 BST = 01:30 UTC), and a wall-clock time that repeats fires once,
 * at its second occurrence (01:30 GMT); this is what croner computes (see docs/schedules.md).
 */
export function slotsAfter(schedule: Schedule, after: Date, count: number): Date[] {
  return cronOf(schedule).nextRuns(count, new Date(after.getTime()))
}

/** The next slot after `after`, strictly, or undefined when the expression never fires again. */
export function nextSlot(schedule: Schedule, after: Date): Date | undefined {
  return cronOf(schedule).nextRun(new Date(after.getTime())) ?? undefined
}

/** The latest slot at or before `at`, or undefined when there is none within nine years. */
export function latestSlot(schedule: Schedule, at: Date): Date | undefined {
  const cron = cronOf(schedule)
  const end = at.getTime()
  for (let windowMs = hourMs; ; windowMs *= 2) {
    const from = end - Math.min(windowMs, longestGapMs)
    let found: Date | undefined
    // nextRun is strict: start a millisecond before the window so a slot exactly at its start counts.
    let next = cron.nextRun(new Date(from - 1))
    while (next && next.getTime() <= end) {
      found = next
      next = cron.nextRun(next)
    }
    if (found) return found
    if (windowMs >= longestGapMs) return undefined
  }
}

/** The latest slot strictly before `before`. */
export function previousSlot(schedule: Schedule, before: Date): Date | undefined {
  return latestSlot(schedule, new Date(before.getTime() - 1))
}
