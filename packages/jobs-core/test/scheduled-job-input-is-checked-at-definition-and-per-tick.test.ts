import { createJobs, defineJob, type Logger, NightshiftError } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('schedule_input')
})
afterAll(() => db?.drop())

test('defineJob refuses a scheduled job whose input has required fields, naming them (tsc too)', () => {
  const defining = () =>
    defineJob({
      name: 'daily-digest',
      // @ts-expect-error tsc refuses it first: ScheduledInputMustAcceptEmpty (checked by `tsc --noEmit`)
      schedule: '0 7 * * *',
      input: z.object({ to: z.email(), subject: z.string() }),
      run: () => null,
    })
  expect(defining).toThrow(NightshiftError)
  expect(defining).toThrow(/job "daily-digest": it has a schedule, and each slot runs with the input \{\}/)
  try {
    defining()
  } catch (error) {
    expect(error).toMatchObject({ code: 'invalid_definition' })
    expect((error as Error).message).toMatch(/to: .*; subject: /)
    expect((error as Error).message).toContain('make those fields optional or give them defaults')
  }
  // Optional fields and defaults are what a slot can run with.
  expect(
    defineJob({
      name: 'daily-digest',
      schedule: '0 7 * * *',
      input: z.object({ to: z.email().default('team@example.com'), subject: z.string().optional() }),
      run: () => null,
    }).name,
  ).toBe('daily-digest')
})

test('one schedule whose input is refused at tick time is reported; the other schedules still tick', async () => {
  // Accepts {} when defined, refuses it later: what a refinement reading outside state can do.
  const gate = { open: true }
  const fragile = defineJob({
    name: 'fragile',
    schedule: '0 * * * *',
    input: z.object({}).refine(() => gate.open, 'the gate is closed'),
    run: () => null,
  })
  const steady = defineJob({ name: 'steady', schedule: '0 * * * *', run: () => null })
  const errors: { message: string; fields?: Record<string, unknown> }[] = []
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (message, fields) => errors.push({ message, fields }),
  }
  const jobs = createJobs({ db: db.url, jobs: [fragile, steady], logger })
  try {
    await jobs.migrate()
    expect((await jobs.tick({ now: new Date('2026-11-30T10:30:00Z') })).started).toHaveLength(2)
    gate.open = false
    const report = await jobs.tick({ now: new Date('2026-11-30T11:30:00Z') })
    expect(report.enqueued).toEqual([
      { name: 'steady', slot: '2026-11-30T11:00:00.000Z', jobId: expect.any(String) },
    ])
    expect(report.failed).toEqual([
      { name: 'fragile', code: 'invalid_input', error: expect.stringContaining('the gate is closed') },
    ])
    expect(errors).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ job: 'fragile', code: 'invalid_input' }) }),
    ])
    // Nothing of fragile's was written and its ledger did not move: once it accepts its input again, the
    // next tick enqueues the slot it missed.
    gate.open = true
    const next = await jobs.tick({ now: new Date('2026-11-30T11:40:00Z') })
    expect(next.enqueued).toEqual([
      { name: 'fragile', slot: '2026-11-30T11:00:00.000Z', jobId: expect.any(String) },
    ])
    expect(next.failed).toEqual([])
  } finally {
    await jobs.close()
  }
})
