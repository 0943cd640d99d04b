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
