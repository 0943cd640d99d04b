import { defineJob } from '@nightshift/jobs-core'
import { describe, expect, test } from 'vitest'
import { latestSlot, slotsAfter } from '../src/schedules/schedule-slots.js'

// The rule (docs/schedules.md): every wall-clock time a schedule matches fires once, at the first
// instant the zone's clocks show it; a time the clocks skip fires at the instant of the jump. This test
// works out the expected slots by brute force, minute by minute with Intl alone, and compares.
const zones = [
  'Europe/London', // 01:00 -> 02:00 in March, 02:00 -> 01:00 in October
  'America/New_York', // 02:00 -> 03:00 in March, 02:00 -> 01:00 in November
  'Australia/Sydney', // 03:00 -> 02:00 in April, 02:00 -> 03:00 in October
  'America/Santiago', // at midnight: 00:00 -> 23:00 in April, 00:00 -> 01:00 in September
  'Australia/Lord_Howe', // half an hour: 02:00 -> 01:30 in April, 02:00 -> 02:30 in October
]
const crons: Record<string, (hour: number, minute: number) => boolean> = {
  '30 1 * * *': (hour, minute) => hour === 1 && minute === 30,
  '*/15 * * * *': (_hour, minute) => minute % 15 === 0,
  '30 2 * * *': (hour, minute) => hour === 2 && minute === 30,
  '0 0 * * *': (hour, minute) => hour === 0 && minute === 0,
}
const minute = 60_000
const hour = 60 * minute
const day = 24 * hour

/** What the zone's clocks show at `instant`, as a UTC millisecond count of those fields. */
const formats = new Map<string, Intl.DateTimeFormat>()
function clockAt(instant: number, timezone: string): number {
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
    })
    formats.set(timezone, format)
  }
  const parts = format.formatToParts(new Date(instant))
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value)
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'))
}

/** The instants in 2026 where the zone's offset changes (to the hour, then to the minute). */
function clockChanges(timezone: string): number[] {
  const changes: number[] = []
  const offset = (t: number) => clockAt(t, timezone) - t
  for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += hour) {
    if (offset(t) !== offset(t + hour)) {
      let at = t
      while (offset(at) === offset(t)) at += minute
      changes.push(at)
    }
  }
  return changes
}

/** Minute by minute: a wall time fires when the clocks first reach or pass it. */
function expectedSlots(
  timezone: string,
  matches: (hour: number, minute: number) => boolean,
  from: number,
  to: number,
) {
  const slots: number[] = []
  let furthest = clockAt(from, timezone)
  for (let t = from + minute; t <= to; t += minute) {
    const wall = clockAt(t, timezone)
    if (wall <= furthest) continue // a repeated wall time: it fired at its first occurrence
    let fires = false
    for (let w = furthest + minute; w <= wall; w += minute) {
      const at = new Date(w)
      if (matches(at.getUTCHours(), at.getUTCMinutes())) fires = true
    }
    if (fires) slots.push(t)
    furthest = wall
  }
  return slots
}

describe.each(zones)('%s', (timezone) => {
  const changes = clockChanges(timezone)
  test('has two clock changes in 2026', () => {
    expect(changes).toHaveLength(2)
  })
  test.each(Object.keys(crons))('%s: every expected slot once, none twice, none skipped', (cron) => {
    const schedule = defineJob({ name: 'dst', schedule: { cron, timezone }, run: () => {} }).schedule
    if (!schedule) throw new Error('no schedule')
    for (const change of changes) {
      const from = change - 2 * day
      const to = change + 2 * day
      const expected = expectedSlots(timezone, crons[cron] as never, from, to)
      const actual = slotsAfter(schedule, new Date(from), 1000)
        .map((slot) => slot.getTime())
        .filter((slot) => slot <= to)
      expect(actual.map((t) => new Date(t).toISOString())).toEqual(
        expected.map((t) => new Date(t).toISOString()),
      )
      // A trigger's current slot: each slot is the latest at its own instant, and until the next.
      expected.forEach((slot, index) => {
        expect(latestSlot(schedule, new Date(slot))?.getTime()).toBe(slot)
        expect(latestSlot(schedule, new Date(slot - 1))?.getTime()).toBe(
          expected[index - 1] ?? latestSlot(schedule, new Date(slot - 1))?.getTime(),
        )
      })
    }
  })
})

test('the cases that motivated the rule, spelled out', () => {
  const slots = (cron: string, timezone: string, from: string, count: number) => {
    const schedule = defineJob({ name: 'dst', schedule: { cron, timezone }, run: () => {} }).schedule
    if (!schedule) throw new Error('no schedule')
    return slotsAfter(schedule, new Date(from), count).map((slot) => slot.toISOString())
  }
  // New York falls back 02:00 EDT -> 01:00 EST: 01:30 fires once, at its first occurrence (EDT).
  expect(slots('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual([
    '2026-11-01T05:30:00.000Z',
    '2026-11-02T06:30:00.000Z',
  ])
  // London falls back too: the same rule, the first 01:30 (BST), not the second (GMT).
  expect(slots('30 1 * * *', 'Europe/London', '2026-10-24T12:00:00Z', 2)).toEqual([
    '2026-10-25T00:30:00.000Z',
    '2026-10-26T01:30:00.000Z',
  ])
  // */15 in the repeated hour: 01:00-01:45 once each (EDT), then 02:00 EST; no hour skipped.
  expect(slots('*/15 * * * *', 'America/New_York', '2026-11-01T05:50:00Z', 3)).toEqual([
    '2026-11-01T07:00:00.000Z',
    '2026-11-01T07:15:00.000Z',
    '2026-11-01T07:30:00.000Z',
  ])
  expect(slots('*/15 * * * *', 'Europe/London', '2026-10-24T23:50:00Z', 5)).toEqual([
    '2026-10-25T00:00:00.000Z',
    '2026-10-25T00:15:00.000Z',
    '2026-10-25T00:30:00.000Z',
    '2026-10-25T00:45:00.000Z',
    '2026-10-25T02:00:00.000Z',
  ])
  // Spring forward in New York, 02:00 EST -> 03:00 EDT: 02:30 fires at the jump, 03:00 EDT.
  expect(slots('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 2)).toEqual([
    '2026-03-08T07:00:00.000Z',
    '2026-03-09T06:30:00.000Z',
  ])
  // Lord Howe goes back half an hour, 02:00 -> 01:30: 01:30 fires at its first occurrence (+11).
  expect(slots('30 1 * * *', 'Australia/Lord_Howe', '2026-04-04T12:00:00Z', 1)).toEqual([
    '2026-04-04T14:30:00.000Z',
  ])
})
