import { createJobs, defineJob, NightshiftError } from '@nightshift/jobs-core'
import { expect, test } from 'vitest'

function definitionError(schedule: unknown): NightshiftError {
  try {
    defineJob({ name: 'nightly-report', schedule: schedule as string, run: () => {} })
  } catch (error) {
    expect(error).toBeInstanceOf(NightshiftError)
    expect((error as NightshiftError).code).toBe('invalid_definition')
    return error as NightshiftError
  }
  throw new Error('defineJob accepted a bad schedule')
}

test('a bad schedule fails at defineJob, naming the job, the field and why', () => {
  expect(definitionError('*/2 * * * * *').message).toBe(
    'job "nightly-report": schedule cron "*/2 * * * * *" has 6 fields; it takes five (minute hour day-of-month month day-of-week)',
  )
  expect(definitionError('0 2 * *').message).toMatch(/"0 2 \* \*" has 4 fields/)
  expect(definitionError('61 2 * * *').message).toMatch(
    /job "nightly-report": schedule cron "61 2 \* \* \*" is invalid: .*minute/,
  )
  expect(definitionError({ cron: '0 2 * * *', timezone: 'Europe/Londn' }).message).toBe(
    'job "nightly-report": schedule timezone "Europe/Londn" is not a known IANA time zone',
  )
  expect(definitionError({ cron: '0 2 * * *', catchUp: { max: 0 } }).message).toMatch(/catchUp must be/)
  expect(definitionError({ cron: '0 2 * * *', catchUp: 'all' }).message).toMatch(/catchUp must be/)
  expect(definitionError(42).message).toMatch(/schedule must be a cron string/)
})

test('defaults: UTC and catchUp latest; createJobs checks schedules of hand-made definitions too', () => {
  const job = defineJob({ name: 'nightly-report', schedule: '0  2 * * *', run: () => {} })
  expect(job.schedule).toEqual({ cron: '0 2 * * *', timezone: 'UTC', catchUp: 'latest' })
  const forged = { ...job, schedule: { cron: '* * * * * *', timezone: 'UTC', catchUp: 'latest' as const } }
  expect(() => createJobs({ db: 'postgres://127.0.0.1:1/none', jobs: [forged] })).toThrow(/has 6 fields/)
})
