import { InvokeJobError, invokeJob } from '@nightshift/adapter-supabase'
import { contractFailureMessage, type contractJobs } from '@nightshift/jobs-core/testing'
import { createClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgbouncerMissing } from '../../../test-support/start-pgbouncer.js'
import { secrets, startContractFunction } from './function-environment.js'

type ContractJobs = ReturnType<typeof contractJobs>

// A laptop without the pooler skips this file with one line that says how to get it.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

let app: Awaited<ReturnType<typeof startContractFunction>>

beforeAll(async () => {
  if (missing) return
  app = await startContractFunction('supabase_invoke')
}, 120_000)
afterAll(async () => {
  await app?.close()
})

const client = (key: string) =>
  createClient(app.gateway.url, key, { auth: { persistSession: false, autoRefreshToken: false } })

async function rejection(promise: Promise<unknown>): Promise<InvokeJobError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(InvokeJobError)
  return error as InvokeJobError
}

describe.skipIf(missing)('invokeJob through a real supabase-js client', () => {
  it('runs a job at its own function and answers the contract’s result', async () => {
    const result = await invokeJob<ContractJobs, 'contract-echo'>(
      client(secrets.SUPABASE_SERVICE_ROLE_KEY),
      'contract-echo',
      { message: 'from supabase-js' },
    )
    expect(result).toMatchObject({ ok: true, status: 'completed', forced: false })
    expect(result.result).toEqual({ echo: 'from supabase-js' })
    const { rows } = await app.admin.query('select status from nightshift.jobs where id = $1', [result.jobId])
    expect(rows).toEqual([{ status: 'completed' }])
  })

  it('runs a job under a function that serves every job, and force runs a done slot again', async () => {
    const supabase = client(secrets.SUPABASE_SERVICE_ROLE_KEY)
    const first = await invokeJob(supabase, 'contract-scheduled', {}, { functionName: 'nightshift' })
    const second = await invokeJob(supabase, 'contract-scheduled', {}, { functionName: 'nightshift' })
    expect(second).toMatchObject({ status: 'already-done', jobId: first.jobId })
    const forced = await invokeJob(
      supabase,
      'contract-scheduled',
      {},
      { functionName: 'nightshift', force: true },
    )
    expect(forced).toMatchObject({ status: 'completed', forced: true })
    expect(forced.jobId).not.toBe(first.jobId)
  })

  it('signs with a signing key, which is accepted whatever the client’s own key is', async () => {
    const anonymous = client('anon-key-that-the-function-does-not-accept')
    const refused = await rejection(invokeJob(anonymous, 'contract-echo', {}))
    expect(refused).toMatchObject({ code: 'unauthorized', status: 401 })
    const signed = await invokeJob(
      anonymous,
      'contract-echo',
      { message: 'signed' },
      {
        signingKey: secrets.NIGHTSHIFT_SIGNING_KEY,
      },
    )
    expect(signed).toMatchObject({ status: 'completed', result: { echo: 'signed' } })
    const wrongKey = await rejection(
      invokeJob(anonymous, 'contract-echo', {}, { signingKey: 'another-signing-key-0123456789' }),
    )
    expect(wrongKey.code).toBe('unauthorized')
  })

  it('surfaces contract errors with their code, status and body', async () => {
    const supabase = client(secrets.SUPABASE_SERVICE_ROLE_KEY)
    const invalid = await rejection(invokeJob(supabase, 'contract-echo', { message: 42 }))
    expect(invalid).toMatchObject({ code: 'invalid_input', status: 400 })
    expect(invalid.message).toContain('contract-echo')
    expect((invalid.body?.error as { issues?: unknown[] } | undefined)?.issues?.length ?? 0).toBeGreaterThan(
      0,
    )
    const scoped = await rejection(invokeJob(client(secrets.CRON_SECRET), 'slow-job', {}))
    expect(scoped).toMatchObject({ code: 'forbidden', status: 403 })
    const failed = await rejection(invokeJob(supabase, 'contract-fail', {}, { functionName: 'nightshift' }))
    expect(failed).toMatchObject({ code: 'job_failed', status: 502 })
    expect(failed.message).toContain(contractFailureMessage)
    expect(failed.body).toMatchObject({ status: 'retrying', jobId: expect.any(String) })
    const missing = await rejection(invokeJob(supabase, 'no-such-function', {}))
    expect(missing).toMatchObject({ code: 'invoke_failed', status: 404 })
  })
})
