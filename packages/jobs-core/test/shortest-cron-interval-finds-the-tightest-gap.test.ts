import { NightshiftError, shortestCronIntervalMinutes } from '@nightshift/jobs-core'
import { describe, expect, it } from 'vitest'

describe('shortestCronIntervalMinutes', () => {
  it.each([
    ['*/2 * * * *', 2],
    ['*/5 * * * *', 5],
    ['* * * * 0', 1],
    ['0,58 * * * *', 2],
    ['0 * * * *', 60],
    ['15,45 9 * * *', 30],
    ['0 2 * * *', 24 * 60],
    ['0 6 * * 1', 7 * 24 * 60],
  ])('%s: %i minutes', (cron, minutes) => {
    expect(shortestCronIntervalMinutes(cron)).toBe(minutes)
  })

  it.each(['*/2 * * *', '@daily', '61 * * * *', '0 2 * * * *'])('refuses %s by code', (cron) => {
    let thrown: unknown
    try {
      shortestCronIntervalMinutes(cron)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(NightshiftError)
    expect((thrown as NightshiftError).code).toBe('invalid_option')
    expect((thrown as NightshiftError).message).toContain(JSON.stringify(cron))
  })
})
