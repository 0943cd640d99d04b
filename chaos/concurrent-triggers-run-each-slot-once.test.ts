import {
  type BookingJobDefinitions,
  createBookingQueue,
  migrateBooking,
  readBookingConfig,
  seedDemoData,
} from '@nightshift/example-booking'
import { createHandler, type Handler, type Jobs } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test-support/test-database.js'
import { byScale, chaosScale } from './support/scale.js'

// Several hosts (as several Edge Function instances or Express servers would be) over one database,
// each its own queue, pool and handler, all answering the HTTP contract in process.
const hostCount = 3
const token = 'chaos-trigger-token-0123456789'
const rounds = byScale(1, 6)
const triggersPerSlot = 50

interface Host {
  pool: pg.Pool
  jobs: Jobs<BookingJobDefinitions>
  handler: Handler
}

let database: TestDatabase
let admin: pg.Client
const hosts: Host[] = []
const clock = { now: new Date('2026-03-10T07:00:00Z') }

beforeAll(async () => {
  database = await createTestDatabase('chaos_triggers')
  admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  const config = readBookingConfig({ BOOKING_DELIVERY: 'outbox' })
  for (let i = 0; i < hostCount; i++) {
    const pool = new pg.Pool({ connectionString: database.url, max: 10 })
    const { jobs } = createBookingQueue({ db: pool, config, now: () => clock.now, logger: silent })
    const handler = createHandler(jobs, {
      auth: { tokens: [token] },
      basePath: '/functions/v1',
      queueRoute: 'notification-worker',
      now: () => clock.now,
    })
    hosts.push({ pool, jobs, handler })
  }
  await hosts[0]?.jobs.migrate()
  await migrateBooking(hosts[0]?.pool as pg.Pool)
  await seedDemoData(hosts[0]?.pool as pg.Pool, { now: clock.now })
})
afterAll(async () => {
  for (const host of hosts) {
    await host.jobs.close()
    await host.pool.end()
  }
  await admin?.end()
  await database?.drop()
})

const silent = { debug() {}, info() {}, warn() {}, error() {} }

interface Answer {
  httpStatus: number
  ok: boolean
  status: string
  jobId: string
  slot: string | null
  forced: boolean
}

/** `POST /functions/v1/<name>` with the app's bearer token, as the original curl commands send it. */
async function post(host: Host, name: string, body: string): Promise<Answer> {
  const response = await host.handler(
    new Request(`http://booking.test/functions/v1/${name}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    }),
  )
  const json = (await response.json()) as Omit<Answer, 'httpStatus'>
  return { ...json, httpStatus: response.status }
}

const scheduledNames = () =>
  [...(hosts[0]?.jobs.definitions.values() ?? [])]
    .filter((definition) => definition.schedule !== undefined)
    .map((definition) => definition.name)

test(
  `${triggersPerSlot} concurrent triggers of each booking scheduled job in one slot and a forced one, over ${hostCount} hosts, ${rounds} slot(s): one run per slot, one forced extra`,
  async () => {
    const names = scheduledNames()
    expect(names).toEqual([
      'generate-t5-invoices',
      'generate-monthly-invoices',
      'run-escalation-orchestration',
      'escalate-overdue-bookings',
      'schedule-create-zoom',
    ])
    // The bodies the original workflows send; the forced one as a manual "Run workflow" sends it.
    const bodies = ['{}', '{"force":false}', '']
    let requests = 0
    for (let round = 0; round < rounds; round++) {
      // A new day each round: a new slot of every schedule.
      clock.now = new Date(Date.UTC(2026, 2, 10 + round, 7, 0, 0))
      const sent = names.flatMap((name) => [
        ...Array.from({ length: triggersPerSlot }, (_, i) => ({
          name,
          forced: false,
          body: bodies[i % 3] as string,
        })),
        { name, forced: true, body: '{"force_invoke":true}' },
      ])
      // All at once, spread over the hosts, shuffled so the forced one races the others.
      sent.sort(() => Math.random() - 0.5)
      const answers = await Promise.all(
        sent.map((request, i) => post(hosts[i % hostCount] as Host, request.name, request.body)),
      )
      requests += answers.length

      for (const name of names) {
        const mine = sent.flatMap((request, i) =>
          request.name === name ? [{ request, answer: answers[i] as Answer }] : [],
        )
        const plain = mine.filter(({ request }) => !request.forced).map(({ answer }) => answer)
        const forced = mine.filter(({ request }) => request.forced).map(({ answer }) => answer)
        // One caller ran the slot; every other one got its outcome, the same job. The one that ran it
        // answers `completed`, or 202 `running` when its wait ended first (the contract's answer on a
        // busy machine: the job is not lost, and is checked below once the hosts are idle).
        const ran = plain.filter((answer) => answer.status !== 'already-done')
        expect(ran).toHaveLength(1)
        expect(['completed', 'running']).toContain(ran[0]?.status)
        expect(
          plain.every(
            (answer) =>
              answer.httpStatus === (answer.status === 'running' ? 202 : 200) && answer.ok && !answer.forced,
          ),
        ).toBe(true)
        expect(new Set(plain.map((answer) => answer.jobId)).size).toBe(1)
        expect(new Set(plain.map((answer) => answer.slot)).size).toBe(1)
        // The forced one ran once more, as its own job, in the same slot.
        expect(forced).toHaveLength(1)
        expect(forced[0]).toMatchObject({ ok: true, forced: true })
        expect([
          { httpStatus: 200, status: 'completed' },
          { httpStatus: 202, status: 'running' },
        ]).toContainEqual({ httpStatus: forced[0]?.httpStatus, status: forced[0]?.status })
        expect(forced[0]?.jobId).not.toBe(plain[0]?.jobId)
        expect(forced[0]?.slot).toBe(plain[0]?.slot)

        // In the queue, once every run the hosts started is recorded: the slot's job and the forced job,
        // each claimed (run) once.
        await Promise.all(hosts.map((host) => host.jobs.whenIdle()))
        const slotKey = `${name}@${plain[0]?.slot}`
        const { rows } = await admin.query<{ key: string; status: string; attempts: number }>(
          `select idempotency_key as key, status, attempts from nightshift.jobs
            where type = $1 and idempotency_key like $2 order by idempotency_key like '%#forced-%', id`,
          [name, `${slotKey}%`],
        )
        expect(rows.map((row) => ({ ...row, key: row.key.replace(/#forced-.*/, '#forced') }))).toEqual([
          { key: slotKey, status: 'completed', attempts: 1 },
          { key: `${slotKey}#forced`, status: 'completed', attempts: 1 },
        ])
      }
    }
    // Across all rounds: each scheduled job has exactly one slot job and one forced job per round.
    const { rows } = await admin.query<{ type: string; jobs: number; runs: number }>(
      `select type, count(*)::int as jobs, sum(attempts)::int as runs from nightshift.jobs
        where type = any($1) group by type order by type`,
      [names],
    )
    expect(rows).toEqual([...names].sort().map((type) => ({ type, jobs: 2 * rounds, runs: 2 * rounds })))
    const invoices = await admin.query<{ n: number }>('select count(*)::int as n from booking.invoices')
    console.log(
      `chaos (${chaosScale}) concurrent triggers: ${requests} requests (${triggersPerSlot} + 1 forced per job per slot) to ${hostCount} hosts, ${names.length} scheduled jobs, ${rounds} slot(s): ${rows.reduce((sum, row) => sum + row.runs, 0)} runs (one per slot, one forced), ${invoices.rows[0]?.n} invoices`,
    )
  },
  byScale(120_000, 900_000),
)
