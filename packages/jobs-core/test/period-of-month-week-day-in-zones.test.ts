import { NightshiftError, periodOf, previousPeriod } from '@nightshift/jobs-core'
import { expect, test } from 'vitest'

const at = (iso: string) => new Date(iso)

test('months in UTC, a zone ahead of UTC (Tokyo) and one behind (New York), across month ends', () => {
  expect(periodOf('month', at('2026-11-28T10:00:00Z'))).toEqual({
    key: '2026-11',
    start: at('2026-11-01T00:00:00Z'),
    end: at('2026-12-01T00:00:00Z'),
  })
  // 30 Nov 20:00 UTC is already 1 December in Tokyo (+09:00).
  expect(periodOf('month', at('2026-11-30T20:00:00Z'), 'Asia/Tokyo')).toEqual({
    key: '2026-12',
    start: at('2026-11-30T15:00:00Z'),
    end: at('2026-12-31T15:00:00Z'),
  })
  // 1 Dec 03:00 UTC is still 30 November in New York (-05:00).
  expect(periodOf('month', at('2026-12-01T03:00:00Z'), 'America/New_York')).toEqual({
    key: '2026-11',
    start: at('2026-11-01T04:00:00Z'), // EDT until 1 November 06:00 UTC
    end: at('2026-12-01T05:00:00Z'),
  })
  expect(periodOf('month', at('2026-12-31T23:59:59.999Z')).end).toEqual(at('2027-01-01T00:00:00Z'))
})

test('ISO weeks, including the week that belongs to the previous ISO year', () => {
  expect(periodOf('week', at('2026-11-28T10:00:00Z'))).toEqual({
    key: '2026-W48',
    start: at('2026-11-23T00:00:00Z'),
    end: at('2026-11-30T00:00:00Z'),
  })
  // Friday 1 January 2027 is in week 53 of 2026.
  expect(periodOf('week', at('2027-01-01T12:00:00Z')).key).toBe('2026-W53')
  // Monday 29 December 2025 is in week 1 of 2026.
  expect(periodOf('week', at('2025-12-29T00:00:00Z')).key).toBe('2026-W01')
  // Sunday 23:30 UTC is already Monday in Berlin (+01:00): the next week.
  expect(periodOf('week', at('2026-11-29T23:30:00Z'), 'Europe/Berlin')).toEqual({
    key: '2026-W49',
    start: at('2026-11-29T23:00:00Z'),
    end: at('2026-12-06T23:00:00Z'),
  })
})

test('days, and a day with a clock change is 23 hours long', () => {
  expect(periodOf('day', at('2026-11-28T23:30:00Z'), 'Europe/Berlin').key).toBe('2026-11-29')
  expect(periodOf('day', at('2026-11-28T02:00:00Z'), 'America/Los_Angeles').key).toBe('2026-11-27')
  const spring = periodOf('day', at('2026-03-29T12:00:00Z'), 'Europe/London')
  expect(spring).toEqual({
    key: '2026-03-29',
    start: at('2026-03-29T00:00:00Z'),
    end: at('2026-03-29T23:00:00Z'),
  })
})

test('the previous period is a one-liner for "runs daily, bills the previous month once"', () => {
  const keys = ['2026-12-01T08:00:00Z', '2026-12-15T08:00:00Z', '2026-12-31T23:00:00Z'].map(
    (iso) => previousPeriod('month', at(iso)).key,
  )
  expect(keys).toEqual(['2026-11', '2026-11', '2026-11'])
  expect(previousPeriod('month', at('2027-01-01T00:00:00Z')).key).toBe('2026-12')
  expect(previousPeriod('week', at('2026-11-28T10:00:00Z')).key).toBe('2026-W47')
  expect(previousPeriod('day', at('2026-03-01T10:00:00Z')).key).toBe('2026-02-28')
  expect(previousPeriod('month', at('2026-11-28T10:00:00Z'), 'UTC', 2).key).toBe('2027-01')
  expect(previousPeriod('month', at('2026-11-28T10:00:00Z'), 'UTC', -13).key).toBe('2025-10')
})

test('a bad zone or unit is a clear error', () => {
  expect(() => periodOf('month', new Date(), 'Mars/Olympus')).toThrow(NightshiftError)
  expect(() => periodOf('month', new Date(), 'Mars/Olympus')).toThrow(/Mars\/Olympus/)
  expect(() => periodOf('year' as 'month', new Date())).toThrow(/month, week or day/)
})
