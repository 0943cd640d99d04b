import { Cron } from 'croner'
import type { Schedule } from './cron-schedule.js'
import { firstInstantOf, wallClockMs } from './zoned-time.js'

const hourMs = 3_600_000
// Far enough back for any five-field expression that fires at all (29 February comes every 4-8 years).
const longestGapMs = 9 * 366 * 24 * hourMs

/**
 * The expression read on wall-clock time: croner runs in UTC over the zone's wall-clock fields, and
 * each wall-clock match is turned into an instant here. croner 9.1.0's own zone handling is not used:
 * on clock-change days it fires a repeated time at its first occurrence in some zones and its second in
 * others (New York vs London), fires one twice in others (Lord Howe, Santiago), and skips slots of
 * `*\/15` in the repeated hour (London, Sydney).
 */
function wallCron(schedule: Schedule): Cron {
  // utcOffset rather than timezone 'UTC': the same fields, without croner's per-step Intl conversions
  // (measured here: 22 µs a step instead of 1.3 ms).
  return new Cron(schedule.cron, { utcOffset: 0, paused: true })
}

/**
 * The slots after `after`, strictly, in order, each instant once. Every wall-clock time the expression
 * matches fires once, at the first instant the zone's clocks show it: a time shown twice when the
 * clocks go back fires at its first occurrence only, and a time the clocks skip when they go forward
 * fires at the instant of the jump (see `firstInstantOf`; several skipped times, or a skipped time and
 * the time the clocks jump to, make one slot). See docs/schedules.md.
 */
function* slotsFrom(cron: Cron, timezone: string, after: Date): Generator<Date> {
  // No wall-clock time earlier than the clock at `after` has a first instant after it, so the walk
  // starts there (nextRun is strict: one millisecond before, so a match at exactly that time counts).
  let wall = new Date(wallClockMs(after, timezone) - 1)
  let last = after.getTime()
  for (;;) {
    const next = cron.nextRun(wall)
    if (!next) return
    wall = next
    const instant = firstInstantOf(next.getTime(), timezone)
    if (instant.getTime() > last) {
      last = instant.getTime()
      yield instant
    }
  }
}

/** The slots of a schedule after `after`, strictly, up to `count` (rules in `slotsFrom`). */
export function slotsAfter(schedule: Schedule, after: Date, count: number): Date[] {
  const slots: Date[] = []
  if (count <= 0) return slots
  for (const slot of slotsFrom(wallCron(schedule), schedule.timezone, after)) {
    slots.push(slot)
    if (slots.length >= count) break
  }
  return slots
}

/** The next slot after `after`, strictly, or undefined when the expression never fires again. */
export function nextSlot(schedule: Schedule, after: Date): Date | undefined {
  return slotsAfter(schedule, after, 1)[0]
}

/** The latest slot at or before `at`, or undefined when there is none within nine years. */
export function latestSlot(schedule: Schedule, at: Date): Date | undefined {
  const cron = wallCron(schedule)
  const end = at.getTime()
  for (let windowMs = hourMs; ; windowMs *= 2) {
    const from = end - Math.min(windowMs, longestGapMs)
    let found: Date | undefined
    // Strictly after: start a millisecond before the window so a slot exactly at its start counts.
    for (const slot of slotsFrom(cron, schedule.timezone, new Date(from - 1))) {
      if (slot.getTime() > end) break
      found = slot
    }
    if (found) return found
    if (windowMs >= longestGapMs) return undefined
  }
}

/** The latest slot strictly before `before`. */
export function previousSlot(schedule: Schedule, before: Date): Date | undefined {
  return latestSlot(schedule, new Date(before.getTime() - 1))
}
