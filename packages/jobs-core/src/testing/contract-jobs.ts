import { z } from 'zod'
import { defineJob } from '../define-job.js'

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
      // Strict, so a control field (force, force_invoke) that reaches validation is an error.
      input: z.object({ message: z.string().max(200).optional() }).strict(),
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
