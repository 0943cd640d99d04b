import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('typed_trigger')
})
afterAll(() => db?.drop())

const digest = defineJob({
  name: 'daily-digest',
  input: z.object({ to: z.email(), days: z.number().default(1) }),
  run: ({ to, days }) => ({ to, days }),
})
const ping = defineJob({ name: 'ping', run: () => 'pong' })

// tsc (strict, `npx tsc --noEmit -p tsconfig.json`) checks every `@ts-expect-error` below: each must be
// an error, or the comment itself is one. Without trigger's typing none of them is.
test('trigger takes only defined names, each with its own input type; the run-time checks stay', async () => {
  const jobs = createJobs({ db: db.url, jobs: [digest, ping] })
  try {
    await jobs.migrate()
    const done = await jobs.trigger('daily-digest', { to: 'ada@example.com' })
    expect(done).toMatchObject({ status: 'completed', result: { to: 'ada@example.com', days: 1 } })
    expect(await jobs.trigger('ping', {})).toMatchObject({ status: 'completed', result: 'pong' })

    // @ts-expect-error a field daily-digest does not have, and its `to` missing
    const wrongShape = await jobs.trigger('daily-digest', { foo: 1 }).catch((error: unknown) => error)
    expect(wrongShape).toMatchObject({ code: 'invalid_input' })
    // @ts-expect-error `days` is a number
    const wrongType = await jobs.trigger('daily-digest', { to: 'b@example.com', days: '2' }).catch((e) => e)
    expect(wrongType).toMatchObject({ code: 'invalid_input' })
    // @ts-expect-error no job has this name
    const unknown = await jobs.trigger('daily-digset', {}).catch((error: unknown) => error)
    expect(unknown).toMatchObject({ code: 'unknown_job' })
  } finally {
    await jobs.close()
  }
})
