import net from 'node:net'
import { createJobs, defineJob, NightshiftError } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { z } from 'zod'

const password = 's3cret-pa55word'
const ping = defineJob({ name: 'ping', input: z.object({ n: z.number() }), run: () => {} })
const nightly = defineJob({ name: 'nightly', schedule: '0 2 * * *', run: () => {} })

let closedPort: number
// A port that accepts connections and never answers: the client's connect timeout is what fails.
let silent: net.Server
let silentPort: number
const sockets = new Set<net.Socket>()
beforeAll(async () => {
  const probe = net.createServer()
  closedPort = await new Promise<number>((resolve) =>
    probe.listen(0, '127.0.0.1', () => resolve((probe.address() as net.AddressInfo).port)),
  )
  await new Promise((resolve) => probe.close(resolve))
  silent = net.createServer((socket) => sockets.add(socket))
  silentPort = await new Promise<number>((resolve) =>
    silent.listen(0, '127.0.0.1', () => resolve((silent.address() as net.AddressInfo).port)),
  )
})
afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => silent.close(resolve))
})

/** The driver's error, under any NightshiftError that wraps it. */
function rootCause(error: unknown): unknown {
  let cause = error
  while (cause instanceof NightshiftError && cause.cause !== undefined) cause = cause.cause
  return cause
}

async function refusal(call: () => Promise<unknown>): Promise<NightshiftError> {
  const error = await call().then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(NightshiftError)
  return error as NightshiftError
}

test('nothing listening: every call fails database_unavailable with host and port, never the password', async () => {
  const jobs = createJobs({
    db: `postgres://app:${password}@127.0.0.1:${closedPort}/app`,
    jobs: [ping, nightly],
  })
  try {
    for (const call of [
      () => jobs.migrate(),
      () => jobs.enqueue('ping', { n: 1 }),
      () => jobs.stats(),
      () => jobs.getJob(1),
      () => jobs.tick(),
      () => jobs.trigger('ping', { n: 1 }),
      () => jobs.process(),
    ]) {
      const error = await refusal(call)
      expect(error.code).toBe('database_unavailable')
      expect(error.message).toContain(`127.0.0.1:${closedPort}`)
      expect(error.message).not.toContain(password)
      // The driver's own error stays as the (root) cause, for whoever needs its code.
      expect(rootCause(error)).toMatchObject({ code: 'ECONNREFUSED' })
    }
  } finally {
    await jobs.close()
  }
})

test('a server that never answers: the connect timeout is database_unavailable, with the configured host and port', async () => {
  const url = `postgres://app:${password}@127.0.0.1:${silentPort}/app`
  const jobs = createJobs({ db: url, jobs: [ping], connectTimeoutMs: 300 })
  // The app's own Pool: its host and port come from its options.
  const pool = new pg.Pool({ host: '127.0.0.1', port: silentPort, password, connectionTimeoutMillis: 300 })
  const onPool = createJobs({ db: pool, jobs: [ping] })
  try {
    for (const queue of [jobs, onPool]) {
      const error = await refusal(() => queue.enqueue('ping', { n: 1 }))
      expect(error.code).toBe('database_unavailable')
      expect(error.message).toMatch(
        new RegExp(`^cannot reach the database at 127\\.0\\.0\\.1:${silentPort}: `),
      )
      expect(error.message).not.toContain(password)
    }
  } finally {
    await jobs.close()
    await onPool.close()
    await pool.end()
  }
})
