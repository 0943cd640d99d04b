import { createHandler } from '@nightshift/jobs-core'
import { contractJobs, runContractSuite } from '@nightshift/jobs-core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServedJobs, serveJobs } from './served-jobs.js'

const tokens = { all: 'contract-token-all', echoOnly: 'contract-token-echo' }
const signingKey = 'contract-signing-key'

const definitions = contractJobs()
let served: ServedJobs<typeof definitions>
let server: ServedJobs<typeof definitions>['server']

beforeAll(async () => {
  served = await serveJobs('contract_core', definitions, (jobs) =>
    createHandler(jobs, {
      basePath: '/api/jobs',
      auth: {
        tokens: { [tokens.all]: '*', [tokens.echoOnly]: ['contract-echo'] },
        signingKeys: [signingKey],
      },
    }),
  )
  ;({ server } = served)
})

afterAll(async () => {
  await served?.close()
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
