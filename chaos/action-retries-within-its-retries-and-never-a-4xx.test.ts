import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runAction, withoutMaskCommands } from '../packages/adapter-gha/test/run-action.js'
import { byScale, chaosScale } from './support/scale.js'
import { secretsIn } from './support/secret-scan.js'

// The committed Action (`node packages/adapter-gha/dist/index.js`) against an endpoint that fails
// on purpose: each request takes the next step of a script, and the server counts the attempts.
const token = 'chaos-action-token-0123456789'
const signingKey = 'chaos-action-signing-key-0123456789'

/** What the endpoint does with one request. */
type Step =
  | { kind: 'answer'; status: number; retryAfter?: string; jobFailed?: boolean }
  | { kind: 'reset' }
  | { kind: 'ok' }

let script: Step[] = []
let attempts = 0
const server = createServer((req, res) => {
  req.resume()
  req.once('end', () => {
    const step = script[attempts] ?? { kind: 'ok' }
    attempts++
    if (step.kind === 'reset') {
      // The connection dies under the request, as behind a proxy that restarts.
      req.socket.destroy()
      return
    }
    if (step.kind === 'ok') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ok: true, status: 'completed', jobId: '7', result: { echo: null } }))
      return
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (step.retryAfter !== undefined) headers['retry-after'] = step.retryAfter
    res.writeHead(step.status, headers)
    const error = step.jobFailed
      ? { code: 'job_failed', message: 'the job threw' }
      : { code: 'chaos', message: `answered ${step.status} on purpose` }
    res.end(
      JSON.stringify({ ok: false, ...(step.jobFailed ? { jobId: '7', status: 'retrying' } : {}), error }),
    )
  })
})
let url = ''

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/functions/v1/contract-echo`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

/** Whether the Action should try again after this step (429, a 5xx other than job_failed, a reset). */
function retryable(step: Step): boolean {
  if (step.kind === 'reset') return true
  if (step.kind === 'ok') return false
  return step.status === 429 || (step.status >= 500 && !step.jobFailed)
}

/** What the Action must do with `steps` and `retries`: how many attempts, and whether it ends green. */
function expected(steps: Step[], retries: number): { attempts: number; ok: boolean } {
  for (let attempt = 0; ; attempt++) {
    const step = steps[attempt] ?? { kind: 'ok' }
    if (step.kind === 'ok') return { attempts: attempt + 1, ok: true }
    if (!retryable(step) || attempt >= retries) return { attempts: attempt + 1, ok: false }
  }
}

// Retry-After '0' keeps most waits short; a missing one takes the Action's own backoff (1 s doubling).
const retryAfter = fc.constantFrom<string | undefined>('0', '0', '1', undefined)
const failure: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('answer'),
      status: fc.constantFrom(500, 502, 503, 504),
      retryAfter,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('answer'), status: fc.constant(429), retryAfter }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'reset' } as const) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('answer'),
      status: fc.constantFrom(400, 401, 403, 404, 405, 409, 413, 415, 422),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'answer', status: 502, jobFailed: true } as const) },
)

/** The scripts every scale runs: each kind of trouble, and the limits of `retries`. */
const named: { name: string; steps: Step[]; retries: number }[] = [
  {
    name: '503, reset, 429 Retry-After 1, then 200 within retries 3',
    steps: [
      { kind: 'answer', status: 503, retryAfter: '0' },
      { kind: 'reset' },
      { kind: 'answer', status: 429, retryAfter: '1' },
    ],
    retries: 3,
  },
  {
    name: 'two 503s with retries 1: gives up after 2 attempts',
    steps: [
      { kind: 'answer', status: 503, retryAfter: '0' },
      { kind: 'answer', status: 503, retryAfter: '0' },
    ],
    retries: 1,
  },
  { name: '400: never retried', steps: [{ kind: 'answer', status: 400 }], retries: 5 },
  { name: '401: never retried', steps: [{ kind: 'answer', status: 401 }], retries: 5 },
  {
    name: '502 job_failed: never retried',
    steps: [{ kind: 'answer', status: 502, jobFailed: true }],
    retries: 5,
  },
  {
    name: 'resets only, retries 2: fails after 3 attempts',
    steps: [{ kind: 'reset' }, { kind: 'reset' }, { kind: 'reset' }],
    retries: 2,
  },
]

const generatedRuns = byScale(6, 60)
const tally = { runs: 0, attempts: 0, green: 0, red: 0, fourXxAttempts: 0, fourXxRuns: 0 }

async function check(steps: Step[], retries: number, name: string): Promise<void> {
  script = steps
  attempts = 0
  const run = await runAction({ url, token, 'signing-key': signingKey, retries: String(retries) })
  const want = expected(steps, retries)
  const context = `${name}: ${JSON.stringify({ steps, retries, code: run.code, outputs: run.outputs })}\n${run.stderr}`
  expect(attempts, context).toBe(want.attempts)
  expect(run.code === 0, context).toBe(want.ok)
  expect(run.outputs.ok, context).toBe(String(want.ok))
  if (want.ok) expect(run.outputs.status, context).toBe('200')
  expect(secretsIn(withoutMaskCommands(run.everything), { token, signingKey }), context).toEqual([])
  tally.runs++
  tally.attempts += attempts
  if (want.ok) tally.green++
  else tally.red++
  const first = steps[0]
  if (first?.kind === 'answer' && first.status >= 400 && first.status < 500 && first.status !== 429) {
    tally.fourXxRuns++
    tally.fourXxAttempts += attempts
  }
}

it(
  `the Action retries 429, 5xx and resets within its retries and never a 4xx (${chaosScale})`,
  async () => {
    for (const { name, steps, retries } of named) await check(steps, retries, name)
    await fc.assert(
      fc.asyncProperty(
        fc.array(failure, { maxLength: 4 }),
        fc.integer({ min: 0, max: 4 }),
        (steps, retries) => check(steps, retries, 'generated'),
      ),
      { numRuns: generatedRuns },
    )
    console.log(`the Action against a failing endpoint (${chaosScale}):`, JSON.stringify(tally))
    // A 4xx first answer is the only attempt, whatever `retries` says.
    expect(tally.fourXxAttempts).toBe(tally.fourXxRuns)
  },
  byScale(120_000, 900_000),
)
