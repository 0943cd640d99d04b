import { createJobs, defineJob, NightshiftError } from '@nightshift/jobs-core'
import { type } from 'arktype'
import * as v from 'valibot'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z as z4 } from 'zod'
import { z as z3 } from 'zod3'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('standard_schema')
})
afterAll(() => db?.drop())

// Regression: jobs-core depended on zod 4 exactly and typed inputs with zod's own types, so an app on
// zod 3 enqueued fine but failed `tsc` (TS2740 … missing def, type, toJSONSchema). Any Standard Schema
// validator now works with the app's own copy: zod 3 and 4, valibot, arktype.
const received: unknown[] = []
const jobsOf = {
  zod3: defineJob({
    name: 'with-zod3',
    input: z3.object({ to: z3.string().email(), times: z3.number().int().default(1) }),
    run: (input) => void received.push(input),
  }),
  zod4: defineJob({
    name: 'with-zod4',
    input: z4.object({ to: z4.email(), times: z4.number().int().default(1) }),
    run: (input) => void received.push(input),
  }),
  valibot: defineJob({
    name: 'with-valibot',
    input: v.object({ to: v.pipe(v.string(), v.email()), times: v.optional(v.number(), 1) }),
    run: (input) => void received.push(input),
  }),
  arktype: defineJob({
    name: 'with-arktype',
    input: type({ to: 'string.email', 'times?': 'number.integer' }),
    run: (input) => void received.push({ times: 1, ...input }),
  }),
}

test.each(Object.entries(jobsOf))(
  '%s: valid input runs with the parsed value; bad input is refused naming the field',
  async (library, definition) => {
    const jobs = createJobs({ db: db.url, jobs: [definition], logger: false, schema: `schema_${library}` })
    try {
      await jobs.migrate()
      received.length = 0
      await jobs.enqueue(definition.name, { to: 'ada@example.com' } as never)
      await jobs.process({ limit: 1 })
      expect(received).toEqual([{ to: 'ada@example.com', times: 1 }])
      const refused = await jobs.enqueue(definition.name, { to: 'not an address' } as never).then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(refused).toBeInstanceOf(NightshiftError)
      expect((refused as NightshiftError).code).toBe('invalid_input')
      expect((refused as NightshiftError).issues?.map((issue) => issue.path)).toEqual([['to']])
      expect((await jobs.stats()).counts.completed + (await jobs.stats()).counts.pending).toBe(1)
    } finally {
      await jobs.close()
    }
  },
)

test('inputs are typed by the schema, whichever library made it', () => {
  const jobs = createJobs({ db: db.url, jobs: Object.values(jobsOf), logger: false })
  const typed = async () => {
    await jobs.enqueue('with-zod3', { to: 'a@b.c' })
    await jobs.enqueue('with-valibot', { to: 'a@b.c', times: 2 })
    await jobs.enqueue('with-arktype', { to: 'a@b.c' })
    // @ts-expect-error `to` must be a string
    await jobs.enqueue('with-zod3', { to: 5 })
    // @ts-expect-error `to` is required
    await jobs.enqueue('with-valibot', {})
    // @ts-expect-error `times` is a number
    await jobs.trigger('with-arktype', { to: 'a@b.c', times: 'twice' })
  }
  expect(typeof typed).toBe('function')
  return jobs.close()
})

test('a schema that validates asynchronously works too: on enqueue and again before the run', async () => {
  const taken = new Set(['taken@example.com'])
  const seen: string[] = []
  const signUp = defineJob({
    name: 'sign-up',
    input: z4
      .object({ email: z4.email() })
      .refine(async ({ email }) => !taken.has(email), 'email already taken'),
    run: ({ email }) => void seen.push(email),
  })
  const jobs = createJobs({ db: db.url, jobs: [signUp], logger: false, schema: 'schema_async' })
  try {
    await jobs.migrate()
    await expect(jobs.enqueue('sign-up', { email: 'taken@example.com' })).rejects.toThrow(
      'email already taken',
    )
    const many = await jobs.enqueueMany([
      { name: 'sign-up', input: { email: 'ada@example.com' } },
      { name: 'sign-up', input: { email: 'grace@example.com' } },
    ])
    // Taken between enqueue and run: the check before the run refuses it (failed, not retried).
    taken.add('grace@example.com')
    await jobs.process({ limit: 2 })
    expect(seen).toEqual(['ada@example.com'])
    expect(await jobs.getJob(many[1]?.id as string)).toMatchObject({
      status: 'failed',
      errorMessage: expect.stringContaining('email already taken'),
    })
  } finally {
    await jobs.close()
  }
})
