import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('key_modes')
})
afterAll(() => db?.drop())

const sync = defineJob({
  name: 'sync-calendar',
  input: z.object({ version: z.number() }),
  run: (input) => input,
})

test('keep (the default) returns the first job for a key, even once it finished', async () => {
  const jobs = createJobs({ db: db.url, jobs: [sync], logger: false, schema: 'keys_keep' })
  try {
    await jobs.migrate()
    const first = await jobs.enqueue('sync-calendar', { version: 1 }, { idempotencyKey: 'user:7' })
    await jobs.process({ limit: 1 })
    expect(await jobs.enqueue('sync-calendar', { version: 2 }, { idempotencyKey: 'user:7' })).toEqual({
      id: first.id,
      created: false,
    })
  } finally {
    await jobs.close()
  }
})

test('reuse-finished: a pending job is returned as it is; once it finished, the key makes a new job and the old keeps its history', async () => {
  const jobs = createJobs({ db: db.url, jobs: [sync], logger: false, schema: 'keys_reuse' })
  const options = { idempotencyKey: 'user:7', onKeyConflict: 'reuse-finished' } as const
  try {
    await jobs.migrate()
    const first = await jobs.enqueue('sync-calendar', { version: 1 }, options)
    expect(first.created).toBe(true)
    expect(await jobs.enqueue('sync-calendar', { version: 2 }, options)).toEqual({
      id: first.id,
      created: false,
    })
    await jobs.process({ limit: 1 })
    const second = await jobs.enqueue('sync-calendar', { version: 3 }, options)
    expect(second.created).toBe(true)
    expect(second.id).not.toBe(first.id)
    const old = await jobs.getJob(first.id)
    expect(old).toMatchObject({
      status: 'completed',
      result: { version: 1 },
      idempotencyKey: `user:7#${first.id}`,
    })
    expect((await jobs.getJob(second.id))?.payload).toEqual({ version: 3 })
  } finally {
    await jobs.close()
  }
})

test('replace: a pending job takes the latest input and runAt (a debounce); a finished one gives way to a new job', async () => {
  const jobs = createJobs({ db: db.url, jobs: [sync], logger: false, schema: 'keys_replace' })
  const later = new Date(Date.now() + 60_000)
  try {
    await jobs.migrate()
    const first = await jobs.enqueue(
      'sync-calendar',
      { version: 1 },
      { idempotencyKey: 'user:7', onKeyConflict: 'replace' },
    )
    const again = await jobs.enqueue(
      'sync-calendar',
      { version: 2 },
      { idempotencyKey: 'user:7', onKeyConflict: 'replace', runAt: later, priority: 5 },
    )
    expect(again).toEqual({ id: first.id, created: false, replaced: true })
    const pending = await jobs.getJob(first.id)
    expect(pending).toMatchObject({ payload: { version: 2 }, priority: 5, status: 'pending' })
    expect(pending?.scheduledFor.getTime()).toBe(later.getTime())
    await jobs.enqueue(
      'sync-calendar',
      { version: 3 },
      { idempotencyKey: 'user:7', onKeyConflict: 'replace' },
    )
    await jobs.process({ limit: 5 })
    expect(await jobs.getJob(first.id)).toMatchObject({ status: 'completed', result: { version: 3 } })
    const next = await jobs.enqueue(
      'sync-calendar',
      { version: 4 },
      { idempotencyKey: 'user:7', onKeyConflict: 'replace' },
    )
    expect(next.created).toBe(true)
    expect((await jobs.listJobs({ names: ['sync-calendar'] })).jobs.map((job) => job.idempotencyKey)).toEqual(
      ['user:7', `user:7#${first.id}`],
    )
    // Bad modes are refused before anything is written.
    await expect(jobs.enqueue('sync-calendar', { version: 5 }, { onKeyConflict: 'replace' })).rejects.toThrow(
      /needs an idempotencyKey/,
    )
    await expect(
      jobs.enqueue(
        'sync-calendar',
        { version: 5 },
        { idempotencyKey: 'k', onKeyConflict: 'overwrite' as never },
      ),
    ).rejects.toThrow(/onKeyConflict must be one of keep, reuse-finished, replace/)
  } finally {
    await jobs.close()
  }
})

test('twenty concurrent reuse-finished enqueues of one finished key make exactly one new job', async () => {
  const jobs = createJobs({
    db: db.url,
    jobs: [sync],
    logger: false,
    schema: 'keys_race',
    maxConnections: 10,
  })
  const options = { idempotencyKey: 'user:9', onKeyConflict: 'reuse-finished' } as const
  try {
    await jobs.migrate()
    await jobs.enqueue('sync-calendar', { version: 0 }, options)
    await jobs.process({ limit: 1 })
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        jobs.enqueue('sync-calendar', { version: index + 1 }, options),
      ),
    )
    expect(results.filter((result) => result.created)).toHaveLength(1)
    expect(new Set(results.map((result) => result.id)).size).toBe(1)
    const many = await jobs.enqueueMany([
      { name: 'sync-calendar', input: { version: 30 }, ...options },
      { name: 'sync-calendar', input: { version: 31 } },
    ])
    expect(many[0]).toEqual({ id: results[0]?.id, created: false })
    expect(many[1]?.created).toBe(true)
  } finally {
    await jobs.close()
  }
})
