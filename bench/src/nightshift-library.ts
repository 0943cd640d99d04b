import { createJobs, defineJob } from '@nightshift/jobs-core'
import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { BenchLibrary, BenchPayload } from './bench-library.js'

let onRun: (payload: BenchPayload) => void = () => {}

/** `{ t: number }`, checked without a schema library (see bench/RESULTS.md "Peak RSS and zod"). */
const payloadSchema: StandardSchemaV1<BenchPayload, BenchPayload> = {
  '~standard': {
    version: 1,
    vendor: 'bench',
    validate: (value) =>
      typeof (value as BenchPayload | null)?.t === 'number'
        ? { value: { t: (value as BenchPayload).t } }
        : { issues: [{ message: 'expected { t: number }', path: ['t'] }] },
  },
}

/** The no-op job every workload enqueues. */
export const noopJob = defineJob({
  name: 'noop',
  input: payloadSchema,
  run: async (input) => {
    onRun(input)
  },
})

/** Sets what the no-op job reports to (one worker per process). */
export function onNoopRun(listener: (payload: BenchPayload) => void): void {
  onRun = listener
}

/**
 * nightshift: `enqueueMany`; `worker({ concurrency: 10 })` with its defaults (comparable: finished
 * jobs are completed in group commits, each durable before it counts, and the same statement claims
 * their replacements), each completion in its own statement (strict), or with 490 prefetched (best).
 */
export const nightshiftLibrary: BenchLibrary = {
  name: 'nightshift',
  async prepare(url) {
    const jobs = createJobs({ db: url, jobs: [noopJob] })
    await jobs.migrate()
    await jobs.close()
  },
  async producer(url) {
    const jobs = createJobs({ db: url, jobs: [noopJob], maxConnections: 2 })
    return {
      async enqueueMany(payloads, runAt) {
        for (let start = 0; start < payloads.length; start += 10_000) {
          await jobs.enqueueMany(
            payloads.slice(start, start + 10_000).map((input) => ({ name: 'noop' as const, input, runAt })),
          )
        }
      },
      async enqueue(payload) {
        await jobs.enqueue('noop', payload)
      },
      close: () => jobs.close(),
    }
  },
  // Each arm matches a partial index (jobs_claim_idx, jobs_lease_idx), so the check reads no finished
  // or future rows; `status in (...)` read the whole table.
  remainingSql: `select count(*)::int as n from nightshift.jobs
    where (status = 'pending' and scheduled_for <= now()) or (status = 'processing' and scheduled_for <= now())`,
  async startWorker(url, setting, onJob, startedAt) {
    onNoopRun(onJob)
    const jobs = createJobs({ db: url, jobs: [noopJob] })
    startedAt()
    jobs.worker(
      setting === 'best'
        ? { concurrency: 10, prefetch: 490 }
        : setting === 'strict'
          ? { concurrency: 10, batchCompletions: false }
          : { concurrency: 10 },
    )
    return { stop: () => jobs.close() }
  },
}
