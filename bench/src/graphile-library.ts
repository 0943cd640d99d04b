import { Logger, makeWorkerUtils, run } from 'graphile-worker'
import type { BenchLibrary } from './bench-library.js'

const silent = new Logger(() => () => {})

/** graphile-worker: `addJobs`, `run()` with defaults (comparable) or `localQueue` 500 and batch delays 0 (best). */
export const graphileLibrary: BenchLibrary = {
  name: 'graphile-worker',
  async prepare(url) {
    const utils = await makeWorkerUtils({ connectionString: url, logger: silent })
    await utils.migrate()
    await utils.release()
  },
  async producer(url) {
    const utils = await makeWorkerUtils({ connectionString: url, logger: silent })
    return {
      async enqueueMany(payloads, runAt) {
        for (let start = 0; start < payloads.length; start += 10_000) {
          await utils.addJobs(
            payloads.slice(start, start + 10_000).map((payload) => ({ identifier: 'noop', payload, runAt })),
          )
        }
      },
      async enqueue(payload) {
        await utils.addJob('noop', payload)
      },
      async close() {
        await utils.release()
      },
    }
  },
  remainingSql: `select count(*)::int as n from graphile_worker._private_jobs where run_at <= now()`,
  async startWorker(url, setting, onJob, startedAt) {
    startedAt()
    const runner = await run({
      connectionString: url,
      concurrency: 10,
      noHandleSignals: true,
      pollInterval: 1000,
      logger: silent,
      taskList: { noop: async (payload) => onJob(payload as { t: number }) },
      ...(setting === 'best'
        ? {
            preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
          }
        : {}),
    })
    return { stop: () => runner.stop() }
  },
}
