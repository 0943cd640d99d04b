import { createJobs, defineJob } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { migrations } from '../src/db/migrations.generated.js'
import { schemaName } from '../src/db/schema-name.js'
import { executorFor } from '../src/db/sql-executor.js'
import { claimJobById } from '../src/queue/claim-job-by-id.js'

// Two jobs whose callers happen to choose the same key: an order id.
let db: TestDatabase
let client: pg.Client
const ran: string[] = []
const deleteAccount = defineJob({
  name: 'delete-account',
  run: () => {
    ran.push('delete-account')
    return 'deleted'
  },
})
const sendReceipt = defineJob({
  name: 'send-receipt',
  run: () => {
    ran.push('send-receipt')
    return 'sent'
  },
})
let jobs: ReturnType<typeof createJobs<[typeof deleteAccount, typeof sendReceipt]>>

beforeAll(async () => {
  db = await createTestDatabase('key_per_name')
  client = new pg.Client({ connectionString: db.url })
  await client.connect()
  // The schema as it was before migration 0008, with keyed rows in it, so the migration meets old data.
  await client.query(`create schema nightshift;
    create table nightshift.migrations (version integer primary key, name text not null,
      applied_at timestamptz not null default now())`)
  for (const migration of migrations.filter((m) => m.version < 8)) {
    await client.query(
      migration.sql
        .replaceAll('{{schema}}', '"nightshift"')
        .replaceAll('{{channel}}', "'nightshift_nightshift'"),
    )
    await client.query('insert into nightshift.migrations (version, name) values ($1, $2)', [
      migration.version,
      migration.name,
    ])
  }
  await client.query(`insert into nightshift.jobs (type, status, idempotency_key, result, completed_at)
    values ('delete-account', 'completed', 'order-7', '"deleted"', now()),
           ('send-receipt', 'completed', 'order-8', '"sent"', now())`)
  jobs = createJobs({ db: db.url, jobs: [deleteAccount, sendReceipt] })
  const { applied } = await jobs.migrate()
  expect(applied).toContain(8)
})
afterAll(async () => {
  await client?.end()
  await jobs?.close()
  await db?.drop()
})

test('the migration keeps existing keyed rows and indexes keys per job name', async () => {
  const rows = await client.query(
    'select type, status, idempotency_key from nightshift.jobs order by idempotency_key',
  )
  expect(rows.rows).toEqual([
    { type: 'delete-account', status: 'completed', idempotency_key: 'order-7' },
    { type: 'send-receipt', status: 'completed', idempotency_key: 'order-8' },
  ])
  const indexes = await client.query(
    `select indexname, indexdef from pg_indexes where schemaname = 'nightshift' and indexdef like '%idempotency_key%'`,
  )
  expect(indexes.rows).toEqual([
    {
      indexname: 'jobs_type_idempotency_key_idx',
      indexdef: expect.stringMatching(
        /UNIQUE INDEX .* \(type, idempotency_key\) WHERE \(idempotency_key IS NOT NULL\)/,
      ),
    },
  ])
  // An old key is still honoured for its own job, and free for another.
  expect(await jobs.enqueue('delete-account', {}, { idempotencyKey: 'order-7' })).toMatchObject({
    created: false,
  })
  expect(await jobs.enqueue('send-receipt', {}, { idempotencyKey: 'order-7' })).toMatchObject({
    created: true,
  })
})

test("one key under two job names makes two jobs; each name's repeat finds its own", async () => {
  const account = await jobs.enqueue(
    'delete-account',
    {},
    { idempotencyKey: 'order-42', runAt: new Date(Date.now() + 3_600_000) },
  )
  const receipt = await jobs.enqueue('send-receipt', {}, { idempotencyKey: 'order-42' })
  expect(account.created).toBe(true)
  expect(receipt.created).toBe(true)
  expect(receipt.id).not.toBe(account.id)
  expect(await jobs.enqueue('send-receipt', {}, { idempotencyKey: 'order-42' })).toEqual({
    id: receipt.id,
    created: false,
  })
  // In one batch, each row is matched back to the job of its own name.
  const batch = await jobs.enqueueMany([
    { name: 'send-receipt', input: {}, idempotencyKey: 'order-43' },
    { name: 'delete-account', input: {}, idempotencyKey: 'order-42' },
    { name: 'delete-account', input: {}, idempotencyKey: 'order-43' },
    { name: 'send-receipt', input: {}, idempotencyKey: 'order-42' },
  ])
  expect(batch.map((result) => result.created)).toEqual([true, false, true, false])
  expect(batch[1]?.id).toBe(account.id)
  expect(batch[3]?.id).toBe(receipt.id)
  const types = await client.query(
    'select id::text, type from nightshift.jobs where id = any($1::bigint[])',
    [batch.map((result) => result.id)],
  )
  const typeOf = new Map(types.rows.map((row) => [row.id, row.type]))
  expect(batch.map((result) => typeOf.get(result.id))).toEqual([
    'send-receipt',
    'delete-account',
    'delete-account',
    'send-receipt',
  ])
})

test("a trigger with another job's key runs its own job, never the other", async () => {
  const account = await jobs.enqueue('delete-account', {}, { idempotencyKey: 'order-99' })
  ran.length = 0
  const result = await jobs.trigger('send-receipt', {}, { idempotencyKey: 'order-99' })
  expect(result).toMatchObject({ status: 'completed', result: 'sent' })
  expect(result.jobId).not.toBe(account.id)
  expect(ran).toEqual(['send-receipt'])
  expect(await jobs.getJob(account.id)).toMatchObject({
    name: 'delete-account',
    status: 'pending',
    attempts: 0,
  })
})

test('a claim by id checks the job name', async () => {
  const account = await jobs.enqueue('delete-account', {}, { idempotencyKey: 'order-100' })
  const executor = executorFor(client)
  const schema = schemaName('nightshift')
  const options = { id: account.id, workerId: 'test', leaseMs: 60_000 }
  expect(await claimJobById(executor, schema, { ...options, type: 'send-receipt' })).toBeUndefined()
  expect(await jobs.getJob(account.id)).toMatchObject({ status: 'pending', attempts: 0 })
  expect(await claimJobById(executor, schema, { ...options, type: 'delete-account' })).toMatchObject({
    type: 'delete-account',
  })
})
