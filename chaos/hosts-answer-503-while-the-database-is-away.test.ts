import { afterAll, beforeAll, expect, it } from 'vitest'
import { type PrivatePostgres, startPrivatePostgres } from '../test-support/private-postgres.js'
import { createContractDatabase } from './support/contract-database.js'
import { byScale, chaosScale } from './support/scale.js'
import { secretsIn } from './support/secret-scan.js'
import { type HostName, hostSecrets, type ServedHost, startHost } from './support/served-hosts.js'
import { type Outcome, timedFetch } from './support/timed-fetch.js'

// Each cycle: the hosts work, the database is stopped under a stream of requests, every request while it
// is away is counted, it comes back, and the same hosts (never restarted) work again.
const cycles = byScale(2, 10)
const roundsWhileAway = byScale(3, 10)
// Well above the hosts' deadline (20 s): a request the client gives up on means the host hung.
const clientTimeoutMs = 60_000
// The database's password: trust auth never asks for it, so it sits in every host's connection string
// and must never reach a log line.
const databasePassword = 'chaos-db-password-0123456789'
const secrets = { ...hostSecrets, DATABASE_PASSWORD: databasePassword }

const bearer = {
  authorization: `Bearer ${hostSecrets.SUPABASE_SERVICE_ROLE_KEY}`,
  'content-type': 'application/json',
}

/** Every route of the contract that reads or writes the database, and what it answers when it can. */
const calls = [
  { method: 'POST', route: 'contract-echo', body: '{"message":"chaos"}', up: [200] },
  { method: 'POST', route: 'process-queue', body: '{"limit":5}', up: [200] },
  { method: 'POST', route: 'tick', body: '{}', up: [200] },
  // 503 with counts when a run the outage cut is still on its lease (stuck): the health route works.
  { method: 'GET', route: 'health', up: [200, 503] },
  { method: 'GET', route: 'metrics', up: [200] },
  { method: 'GET', route: 'jobs/1', up: [200, 404] },
  { method: 'GET', route: 'jobs?limit=5', up: [200] },
] as const

let cluster: PrivatePostgres
const hosts: ServedHost[] = []

beforeAll(async () => {
  cluster = await startPrivatePostgres()
  for (const name of ['core', 'express', 'deno'] as const) {
    const url = new URL(await createContractDatabase(cluster.url(), `chaos_${name}`))
    url.password = databasePassword
    hosts.push(await startHost(name, url.toString()))
  }
}, 120_000)

afterAll(async () => {
  for (const host of hosts) await host.close()
  await cluster?.remove()
})

type Call = (typeof calls)[number]

function send(host: ServedHost, call: Call, headers: Record<string, string> = bearer): Promise<Outcome> {
  return timedFetch(
    `${host.base}/${call.route}`,
    { method: call.method, headers, body: 'body' in call ? call.body : undefined },
    clientTimeoutMs,
  )
}

/** Counts per host, for the figures in docs/reliability.md. */
const newTally = () => ({
  away: 0,
  away503: 0,
  awayRejected401: 0,
  crossing: 0,
  up: 0,
  timeouts: 0,
  networkErrors: 0,
  with500: 0,
})
const tally: Record<HostName, ReturnType<typeof newTally>> = {
  core: newTally(),
  express: newTally(),
  deno: newTally(),
}

function count(host: ServedHost, outcome: Outcome): void {
  const counts = tally[host.name]
  if (outcome.kind === 'timeout') counts.timeouts++
  if (outcome.kind === 'network-error') counts.networkErrors++
  if (outcome.kind === 'answered' && outcome.status === 500) counts.with500++
}

/** One round of every call on every host, all at once; each must answer as it does with a database. */
async function expectWorking(): Promise<void> {
  const rounds = await Promise.all(
    hosts.flatMap((host) => calls.map(async (call) => ({ host, call, outcome: await send(host, call) }))),
  )
  for (const { host, call, outcome } of rounds) {
    count(host, outcome)
    tally[host.name].up++
    const context = JSON.stringify({ host: host.name, route: call.route, outcome })
    expect(
      outcome.kind === 'answered' && (call.up as readonly number[]).includes(outcome.status),
      context,
    ).toBe(true)
    // Whatever the status, the database answered: no outage left in the body.
    if (outcome.kind === 'answered') expect(outcome.body, context).not.toContain('database_unavailable')
  }
}

/** Requests on every host until `stop` resolves: the database goes away under them. */
async function streamWhile(
  stop: () => Promise<void>,
): Promise<{ host: HostName; route: string; outcome: Outcome }[]> {
  let streaming = true
  const outcomes: { host: HostName; route: string; outcome: Outcome }[] = []
  const loops = hosts.map(async (host) => {
    for (let i = 0; streaming; i++) {
      const call = calls[i % calls.length] as Call
      const outcome = await send(host, call)
      count(host, outcome)
      tally[host.name].crossing++
      outcomes.push({ host: host.name, route: call.route, outcome })
    }
  })
  // Let the stream start before the database goes.
  await new Promise((resolve) => setTimeout(resolve, 200))
  await stop()
  streaming = false
  await Promise.all(loops)
  return outcomes
}

it(
  `every host answers 503 database_unavailable while its database is away, never hangs, and works again after (${chaosScale})`,
  async () => {
    await expectWorking()
    for (let cycle = 0; cycle < cycles; cycle++) {
      // Half the outages drop every connection at once (a crash), half are an orderly shutdown.
      const mode = cycle % 2 === 0 ? 'immediate' : 'fast'
      const crossing = await streamWhile(() => cluster.stop(mode))
      for (const { host, route, outcome } of crossing) {
        // Answered before or after the stop: the working answer, 202 running (a trigger whose job was
        // enqueued but whose run the stop cut: it runs after its lease), or 503; never a hang or a 500.
        const context = JSON.stringify({ host, route, mode, outcome })
        expect(outcome.kind, context).toBe('answered')
        if (outcome.kind === 'answered') expect([200, 202, 404, 503], context).toContain(outcome.status)
      }

      for (let round = 0; round < roundsWhileAway; round++) {
        const away = await Promise.all(
          hosts.flatMap((host) => [
            ...calls.map(async (call) => ({ host, call: call.route, outcome: await send(host, call) })),
            // A wrong token is refused before the database is needed: still 401, not 503.
            (async () => ({
              host,
              call: 'wrong token',
              outcome: await send(host, calls[0], { ...bearer, authorization: 'Bearer wrong' }),
            }))(),
          ]),
        )
        for (const { host, call, outcome } of away) {
          count(host, outcome)
          tally[host.name].away++
          const context = JSON.stringify({ host: host.name, call, outcome })
          expect(outcome.kind, context).toBe('answered')
          if (outcome.kind !== 'answered') continue
          const body = JSON.parse(outcome.body) as { ok: unknown; error?: { code?: unknown } }
          if (call === 'wrong token') {
            expect(outcome.status, context).toBe(401)
            tally[host.name].awayRejected401++
            continue
          }
          expect(outcome.status, context).toBe(503)
          expect(body, context).toMatchObject({ ok: false, error: { code: 'database_unavailable' } })
          expect(secretsIn(outcome.body, secrets), context).toEqual([])
          tally[host.name].away503++
        }
      }

      await cluster.start()
      // The same host processes, never restarted: the first round after the database returns works.
      await expectWorking()
    }

    console.log(`hosts during ${cycles} database outages (${chaosScale}):`, JSON.stringify(tally))
    for (const host of hosts) {
      expect(tally[host.name], host.name).toMatchObject({ timeouts: 0, networkErrors: 0, with500: 0 })
      expect(tally[host.name].away503, host.name).toBe(cycles * roundsWhileAway * calls.length)
      // Nothing the hosts logged or printed holds a secret (the outages are logged, by address).
      expect(secretsIn(host.output(), secrets), host.name).toEqual([])
    }
    expect(hosts.map((host) => host.output()).join('\n')).toContain(`127.0.0.1:${cluster.port}`)
  },
  byScale(120_000, 900_000),
)
