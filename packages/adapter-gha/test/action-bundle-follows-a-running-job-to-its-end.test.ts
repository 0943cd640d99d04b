import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRouter } from '@nightshift/adapter-express'
import { createJobs, defineJob, JobFailError, type Jobs } from '@nightshift/jobs-core'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { runAction, withoutMaskCommands } from './run-action.js'

// The example server answers within its 50 s wait; this server waits 300 ms, so a job of 1.5 s is
// answered `202 running` and the step has to follow it through GET /jobs/<id>.
const token = 'follow-test-token-0123456789'
const signingKey = 'follow-test-signing-key-0123456789'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
let db: TestDatabase
let jobs: Pick<Jobs, 'close'>
let server: Server
let base: string
const seen: string[] = []

beforeAll(async () => {
  db = await createTestDatabase('gha_follow')
  const queue = createJobs({
    db: db.url,
    jobs: [
      defineJob({
        name: 'slow-report',
        run: async () => {
          await sleep(1500)
          return { rows: 3 }
        },
      }),
      defineJob({
        name: 'slow-failure',
        run: async () => {
          await sleep(1500)
          throw new JobFailError('the report source is gone')
        },
      }),
      defineJob({
        name: 'very-slow',
        run: async (_input, ctx) => sleep(8000).then(() => ctx.signal.throwIfAborted()),
      }),
    ],
  })
  jobs = queue
  await queue.migrate()
  const app = express()
  app.use((request, _response, next) => {
    seen.push(`${request.method} ${request.url}`)
    next()
  })
  app.use(
    '/functions/v1',
    createRouter(queue, { auth: { tokens: [token], signingKeys: [signingKey] }, waitMs: 300 }),
  )
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/functions/v1`
})

afterAll(async () => {
  server?.close()
  await jobs?.close({ timeoutMs: 2000 })
  await db?.drop()
})

describe('a 202 running answer', () => {
  it('is followed through GET /jobs/<id> until the job completes', async () => {
    seen.length = 0
    const run = await runAction({ url: `${base}/slow-report`, token })
    expect(run.code, run.stdout).toBe(0)
    expect(run.stdout).toContain('the job is still running on the server')
    const jobId = run.outputs['job-id']
    expect(jobId).toMatch(/^\d+$/)
    expect(seen[0]).toBe('POST /functions/v1/slow-report')
    expect(seen.slice(1).every((line) => line === `GET /functions/v1/jobs/${jobId}`)).toBe(true)
    expect(seen.length).toBeGreaterThan(1)
    expect(run.outputs).toMatchObject({
      ok: 'true',
      status: '200',
      'job-status': 'completed',
      processed: '1',
    })
    expect(JSON.parse(run.outputs.response ?? '{}')).toMatchObject({
      ok: true,
      job: { id: jobId, status: 'completed', result: { rows: 3 } },
    })
    expect(withoutMaskCommands(run.everything)).not.toContain(token)
  })

  it('fails the step when the followed job ends failed, with its error', async () => {
    const run = await runAction({ url: `${base}/slow-failure`, token })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ ok: 'false', 'job-status': 'failed' })
    expect(run.stdout).toMatch(
      /::error title=slow-failure failed \(nightshift\)::slow-failure: job \d+ ended failed: the report source is gone/,
    )
  })

  it('fails the step when the job is still running at timeout-seconds', async () => {
    const run = await runAction({ url: `${base}/very-slow`, token, 'timeout-seconds': '2' })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ ok: 'false', 'job-status': 'processing' })
    expect(run.stdout).toMatch(/very-slow: job \d+ was still processing after timeout-seconds \(2 s\)/)
  })

  it('is followed with signed requests when the step has a signing key and no token', async () => {
    seen.length = 0
    const run = await runAction({ url: `${base}/slow-report`, 'signing-key': signingKey })
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs['job-status']).toBe('completed')
    expect(seen.filter((line) => line.startsWith('GET')).length).toBeGreaterThan(0)
    expect(withoutMaskCommands(run.everything)).not.toContain(signingKey)
  })
})
