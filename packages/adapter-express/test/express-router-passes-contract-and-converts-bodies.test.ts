import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRouter } from '@nightshift/adapter-express'
import { type AuthOptions, createJobs, sign, signatureHeader } from '@nightshift/jobs-core'
import { contractJobs, runContractSuite } from '@nightshift/jobs-core/testing'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

const tokens = { all: 'express-token-all', echoOnly: 'express-token-echo' }
const signingKey = 'express-signing-key'
const auth: AuthOptions = {
  tokens: { [tokens.all]: '*', [tokens.echoOnly]: ['contract-echo'] },
  signingKeys: [signingKey],
}

let db: TestDatabase
const definitions = contractJobs()
let jobs: ReturnType<typeof createJobs<typeof definitions>>
const servers: Server[] = []

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', resolve))
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  db = await createTestDatabase('adapter_express')
  jobs = createJobs({ db: db.url, jobs: definitions })
  await jobs.migrate()
})

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
  await jobs?.close()
  await db?.drop()
})

describe('createRouter', () => {
  it('passes the contract suite mounted at /functions/v1 of a real Express server', async () => {
    const app = express()
    app.use('/functions/v1', createRouter(jobs, { auth }))
    const base = await listen(app)
    const results = await runContractSuite({ baseUrl: `${base}/functions/v1`, tokens, signingKey })
    expect(results.length).toBeGreaterThanOrEqual(17)
    expect(results.filter((result) => !result.ok)).toEqual([])
  })

  it('works after express.json(): the parsed body reaches the job, bearer auth holds', async () => {
    const app = express()
    app.use(express.json())
    app.use('/api', createRouter(jobs, { auth }))
    const base = await listen(app)
    const response = await fetch(`${base}/api/contract-echo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.all}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'parsed first' }),
    })
    expect(response.status).toBe(200)
    expect(JSON.stringify(await response.json())).toContain('parsed first')
    const denied = await fetch(`${base}/api/contract-echo`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
      body: '{}',
    })
    expect(denied.status).toBe(401)
  })

  it('keeps the exact bytes for an HMAC signature when mounted before express.json or given req.rawBody', async () => {
    // Spacing that re-serialising would change, so only the raw bytes verify.
    const body = '{ "message" :  "signed" }'
    // Signed for the route under the mount; each post its own time, since one signature makes one run.
    let sent = 0
    const signature = () =>
      sign({ method: 'POST', path: '/contract-echo', body }, signingKey, {
        now: new Date(Date.now() - 1000 * sent++),
      })
    const before = express()
    before.use('/jobs', createRouter(jobs, { auth }))
    before.use(express.json())
    const kept = express()
    kept.use(express.json({ verify: (req, _res, buf) => Object.assign(req, { rawBody: Buffer.from(buf) }) }))
    kept.use('/jobs', createRouter(jobs, { auth }))
    const parsedOnly = express()
    parsedOnly.use(express.json())
    parsedOnly.use('/jobs', createRouter(jobs, { auth }))
    const post = async (base: string) =>
      fetch(`${base}/jobs/contract-echo`, {
        method: 'POST',
        headers: { [signatureHeader]: await signature(), 'content-type': 'application/json' },
        body,
      })
    expect((await post(await listen(before))).status).toBe(200)
    expect((await post(await listen(kept))).status).toBe(200)
    // Documented limit: a body express.json already consumed cannot be signed-checked.
    expect((await post(await listen(parsedOnly))).status).toBe(401)
  })

  it('passes status codes and headers through, and leaves other routes of the app alone', async () => {
    const app = express()
    app.use('/functions/v1', createRouter(jobs, { auth }))
    app.get('/hello', (_req, res) => {
      res.send('world')
    })
    const base = await listen(app)
    const unknown = await fetch(`${base}/functions/v1/no-such-job`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.all}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toMatch(/application\/json/)
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: expect.any(String) } })
    const tooBig = await fetch(`${base}/functions/v1/contract-echo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.all}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'x'.repeat(2 * 1024 * 1024) }),
    })
    expect(tooBig.status).toBe(413)
    expect(await (await fetch(`${base}/hello`)).text()).toBe('world')
  })
})
