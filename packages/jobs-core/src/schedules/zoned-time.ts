/** A wall-clock reading in a time zone. */
export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const formats = new Map<string, Intl.DateTimeFormat>()

function formatFor(timezone: string): Intl.DateTimeFormat {
  let format = formats.get(timezone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formats.set(timezone, format)
  }
  return format
}

/** What a clock in `timezone` shows at `date`. */
export function wallClock(date: Date, timezone: string): WallClock {
  const parts: Record<string, number> = {}
  for (const part of formatFor(timezone).formatToParts(date)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value)
  }
  return {
    year: parts.year as number,
    month: parts.month as number,
    day: parts.day as number,
    hour: parts.hour as number,
    minute: parts.minute as number,
    second: parts.second as number,
  }
}

/** The zone's offset from UTC at `date`, in minutes (London in summer: 60; New York in winter: -300). */
export function offsetMinutes(date: Date, timezone: string): number {
  const clock = wallClock(date, timezone)
  const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second)
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60_000)
}

/** The instant the zone's clocks show midnight starting a calendar day (month may overflow, as Date.UTC). */
export function zonedMidnight(year: number, month: number, day: number, timezone: string): Date {
  const guess = Date.UTC(year, month - 1, day)
  let instant = guess - offsetMinutes(new Date(guess), timezone) * 60_000
  // Once more with the offset at the first estimate, in case an offset change lies between.
  instant = guess - offsetMinutes(new Date(instant), timezone) * 60_000
  return new Date(instant)
}

/** `date` as ISO 8601 in the zone's local time with its offset, e.g. `2026-11-29T02:00:00+00:00`. */
export function localIso(date: Date, timezone: string): string {
  const c = wallClock(date, timezone)
  const offset = offsetMinutes(date, timezone)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  const sign = offset < 0 ? '-' : '+'
  const abs = Math.abs(offset)
  return `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** What a clock in `timezone` shows at `date`, as the UTC fields of a millisecond count (keeps `date`'s milliseconds). */
export function wallClockMs(date: Date, timezone: string): number {
  const c = wallClock(date, timezone)
  const ms = date.getTime() - Math.floor(date.getTime() / 1000) * 1000
  return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) + ms
}

const dayMs = 86_400_000

/**
 * The instant a zone's clocks first show a wall-clock time, given as the UTC fields of `wallMs` (so
 * `Date.UTC(2026, 10, 1, 1, 30)` is 01:30 on 1 November). A time the clocks show twice (they go back)
 * gives its first occurrence; a time they never show (they jump forward over it) gives the instant of
 * the jump, which the clocks show as the end of the gap (New York, 8 March 2026: 02:30 does not exist,
 * and gives 03:00 EDT = 07:00 UTC).
 */
export function firstInstantOf(wallMs: number, timezone: string): Date {
  // The offsets a day either side bracket any one change of offset (DST or otherwise) near this time;
  // zones change their offset at most once in two days.
  const before = offsetMinutes(new Date(wallMs - dayMs), timezone)
  const after = offsetMinutes(new Date(wallMs + dayMs), timezone)
  // No change near this time (nearly always): the one offset applies.
  if (before === after) return new Date(wallMs - before * 60_000)
  const fits = [before, after]
    .map((offset) => wallMs - offset * 60_000)
    .filter((instant) => wallClockMs(new Date(instant), timezone) === wallMs)
  if (fits.length > 0) return new Date(Math.min(...fits))
  // A gap: the clocks jumped from `before` to `after` somewhere between these two instants. Offsets
  // change on whole seconds, so halving to one second finds the jump exactly.
  let lo = Math.floor((wallMs - after * 60_000) / 1000)
  let hi = Math.ceil((wallMs - before * 60_000) / 1000)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (offsetMinutes(new Date(mid * 1000), timezone) === after) hi = mid
    else lo = mid
  }
  return new Date(hi * 1000)
}
