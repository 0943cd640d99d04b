import type { StandardSchemaV1 } from '@standard-schema/spec'
import { defineJob } from '../define-job.js'

/**
 * `contract-echo`'s input: `{ message?: string }` of at most 200 characters and no other key. Strict, so
 * a control field (force, force_invoke) that reaches validation is an error. Written as a Standard Schema
 * itself, so the contract suite needs no schema library.
 */
const echoInput: StandardSchemaV1<{ message?: string }, { message?: string }> = {
  '~standard': {
    version: 1,
    vendor: 'nightshift-contract',
    validate(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return { issues: [{ message: 'expected an object' }] }
      const issues: StandardSchemaV1.Issue[] = Object.keys(value)
        .filter((key) => key !== 'message')
        .map((key) => ({ message: `unrecognized key "${key}"`, path: [key] }))
      const { message } = value as { message?: unknown }
      if (message === undefined) return issues.length > 0 ? { issues } : { value: {} }
      if (typeof message !== 'string' || message.length > 200)
        issues.push({ message: 'expected a string of at most 200 characters', path: ['message'] })
      return issues.length > 0 || typeof message !== 'string' ? { issues } : { value: { message } }
    },
  },
}

/** The message the contract's failing job throws. */
export const contractFailureMessage = 'contract job failed on purpose'

/**
 * The jobs a host under test registers so `runContractSuite` can drive it: `contract-echo` returns
 * its input, `contract-fail` always throws (2 attempts, so a trigger leaves it pending for a retry),
 * `contract-scheduled` runs at midnight UTC on January 1st (its slot stays the same all year, so two
 * triggers in one suite run always fall in one slot).
 *
 * @example
 * const jobs = createJobs({ db, jobs: [...contractJobs(), ...myJobs] })
 */
export function contractJobs() {
  return [
    defineJob({
      name: 'contract-echo',
      input: echoInput,
      run: ({ message }) => ({ echo: message ?? null }),
    }),
    defineJob({
      name: 'contract-fail',
      maxAttempts: 2,
      backoff: { baseMs: 60_000, maxMs: 60_000 },
      run: () => {
        throw new Error(contractFailureMessage)
      },
    }),
    defineJob({
      name: 'contract-scheduled',
      schedule: '0 0 1 1 *',
      run: () => ({ ran: true }),
    }),
  ] as const
}
