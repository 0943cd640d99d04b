import { createHandler, createJobs } from '@nightshift/jobs-core'
import { contractJobs, runContractSuite } from '@nightshift/jobs-core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { serveFetchHandler } from './serve-fetch-handler.js'

const tokens = { all: 'contract-token-all', echoOnly: 'contract-token-echo' }
const signingKey = 'contract-signing-key'

let db: TestDatabase
const definitions = contractJobs()
let jobs: ReturnType<typeof createJobs<typeof definitions>>
let server: Awaited<ReturnType<typeof serveFetchHandler>>

beforeAll(async () => {
  db = await createTestDatabase('contract_core')
  jobs = createJobs({ db: db.url, jobs: definitions })
  await jobs.migrate()
  const handler = createHandler(jobs, {
    basePath: '/api/jobs',
    auth: { tokens: { [tokens.all]: '*', [tokens.echoOnly]: ['contract-echo'] }, signingKeys: [signingKey] },
  })
  server = await serveFetchHandler(handler)
})

afterAll(async () => {
  await server?.close()
  await jobs?.close()
  await db?.drop()
})

describe('runContractSuite against the core handler', () => {
  it('passes every check', async () => {
    const results = await runContractSuite({ baseUrl: `${server.url}/api/jobs`, tokens, signingKey })
    expect(results.length).toBeGreaterThanOrEqual(17)
    expect(results.every((result) => result.ok)).toBe(true)
  })

  it('fails, naming the check, against a host that breaks the contract', async () => {
    // The same handler behind a prefix the suite does not use: every route is 404 there.
    await expect(
      runContractSuite({ baseUrl: `${server.url}/api/jobs/wrong`, tokens: { all: tokens.all } }),
    ).rejects.toThrow(/contract checks failed[\s\S]*POST <job> runs it/)
  })
})
