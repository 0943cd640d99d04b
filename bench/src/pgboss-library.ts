import { PgBoss } from 'pg-boss'
import type { BenchLibrary, BenchPayload } from './bench-library.js'

function boss(url: string): PgBoss {
  const instance = new PgBoss({
    connectionString: url,
    useListenNotify: true,
    supervise: false,
    schedule: false,
  })
  instance.on('error', () => {})
  return instance
}

/** pg-boss: `insert`, one `work()` with batches of 10 (comparable) or 4 local workers x batches of 500 (best). */
export const pgBossLibrary: BenchLibrary = {
  name: 'pg-boss',
  async prepare(url) {
    const instance = boss(url)
    await instance.start()
    await instance.createQueue('noop', { notify: true })
    await instance.stop({ graceful: false })
  },
  async producer(url) {
    const instance = boss(url)
    await instance.start()
    return {
      async enqueueMany(payloads, runAt) {
        for (let start = 0; start < payloads.length; start += 10_000) {
          await instance.insert(
            'noop',
            payloads.slice(start, start + 10_000).map((data) => ({ data, startAfter: runAt })),
          )
        }
      },
      async enqueue(payload) {
        await instance.send('noop', payload)
      },
      close: () => instance.stop({ graceful: false }),
    }
  },
  remainingSql: `select count(*)::int as n from pgboss.job where name = 'noop' and state < 'completed' and start_after <= now()`,
  async startWorker(url, setting, onJob, startedAt) {
    const instance = boss(url)
    await instance.start()
    startedAt()
    const options =
      setting === 'best'
        ? { batchSize: 500, localConcurrency: 4, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 }
        : { batchSize: 10, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 }
    await instance.work<BenchPayload>('noop', options, async (jobs) => {
      for (const job of jobs) onJob(job.data)
    })
    return { stop: () => instance.stop({ graceful: true, timeout: 10_000 }) }
  },
}
