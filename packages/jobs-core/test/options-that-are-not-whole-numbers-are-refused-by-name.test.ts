import { createHandler, createJobs, defineJob, NightshiftError } from '@nightshift/jobs-core'
import { expect, test } from 'vitest'

// Nothing here reaches a database: every check runs before the first statement.
const unreachable = 'postgres://postgres@127.0.0.1:1/none'
const noop = defineJob({ name: 'noop', run: () => undefined })

function refusal(act: () => unknown): { code: string; message: string } {
  try {
    act()
  } catch (error) {
    if (error instanceof NightshiftError) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a NightshiftError')
}

async function refusalOf(act: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await act().then(
    () => new Error('expected a NightshiftError'),
    (thrown: unknown) => thrown,
  )
  if (error instanceof NightshiftError) return { code: error.code, message: error.message }
  throw error
}

test('each whole-number option names itself, its bounds and the value given', async () => {
  expect(refusal(() => defineJob({ name: 'bad', maxAttempts: 0, run: () => 1 }))).toEqual({
    code: 'invalid_definition',
    message: 'job "bad": maxAttempts must be a whole number of 1 or more, got 0',
  })
  expect(refusal(() => createJobs({ db: unreachable, jobs: [noop], leaseMs: 99.5 }))).toEqual({
    code: 'invalid_option',
    message: 'leaseMs must be a whole number of 100 ms or more, got 99.5',
  })
  const jobs = createJobs({ db: unreachable, jobs: [noop] })
  try {
    expect(refusal(() => createHandler(jobs, { auth: 'none', deadlineMs: 0 }))).toEqual({
      code: 'invalid_option',
      message: 'createHandler({ deadlineMs }) must be a whole number of 1 or more, got 0',
    })
    expect(
      refusal(() =>
        createHandler(jobs, { auth: { tokens: ['a-long-enough-token'], toleranceSeconds: 1.5 } }),
      ),
    ).toEqual({
      code: 'invalid_option',
      message: 'createHandler({ auth }): toleranceSeconds must be a whole number of 1 or more, got 1.5',
    })
    expect(await refusalOf(() => jobs.process({ limit: -1 }))).toEqual({
      code: 'invalid_option',
      message: 'process({ limit }) must be a whole number of 1 or more, got -1',
    })
    expect(refusal(() => jobs.worker({ concurrency: 0 }))).toEqual({
      code: 'invalid_option',
      message: 'worker({ concurrency }) must be a whole number of 1 or more, got 0',
    })
    expect(refusal(() => createJobs({ db: unreachable, jobs: [noop], queryTimeoutMs: -5 }))).toEqual({
      code: 'invalid_option',
      message: 'queryTimeoutMs must be a whole number of 0 or more, got -5',
    })
    expect(await refusalOf(() => jobs.enqueue('noop', {}, { maxAttempts: 2.5 }))).toEqual({
      code: 'invalid_option',
      message: 'maxAttempts must be a whole number of 1 or more, got 2.5',
    })
  } finally {
    await jobs.close()
  }
})
