import { fork } from 'node:child_process'
import { runSql, withFreshDatabase } from './bench-database.js'
import { type BenchLibrary, type BenchPayload, nowMs, type WorkerSetting } from './bench-library.js'
import { compiledWorkerScript } from './compile-workers.js'
import { drainOverHttp } from './drain-over-http.js'
import { serverCounters } from './server-cost.js'
import type { WorkerAnswer, WorkerTask } from './worker-process.js'

/** How many jobs each workload uses. */
export interface Sizes {
  bulk: number
  single: number
  throughput: number
  latency: number
  backlogFuture: number
  backlogDue: number
  /** Jobs drained through PgBouncer (`pooler-workload.ts`). */
  pooler: number
}

export const fullSizes: Sizes = {
  bulk: 20_000,
  single: 2_000,
  throughput: 100_000,
  latency: 200,
  backlogFuture: 200_000,
  backlogDue: 1_000,
  pooler: 20_000,
}

export const smokeSizes: Sizes = {
  bulk: 2_000,
  single: 200,
  throughput: 2_000,
  latency: 20,
  backlogFuture: 2_000,
  backlogDue: 200,
  pooler: 2_000,
}

/** One figure of one run. */
export interface Measurement {
  library: string
  workload: string
  value: number
  unit: string
}

// Node flags of every worker process (`--worker-flags`), the same for each library; none by default.
let workerFlags: readonly string[] = []

/**
 * Runs every worker process with these Node flags from now on, e.g. `['--max-semi-space-size=2']` to
 * see what V8's generational heap limits do to each library's peak RSS and speed.
 */
export function useWorkerFlags(flags: readonly string[]): void {
  workerFlags = flags
}

/**
 * A worker process running `task`; `ready` resolves when it asks for work, `done` with its answer. It
 * runs the compiled harness (`compileWorkers()` first) under plain node, without the parent's loader,
 * with the flags of `useWorkerFlags` only.
 */
export function spawnWorker(task: WorkerTask) {
  const child = fork(compiledWorkerScript, [], {
    execArgv: [...workerFlags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let onReady: (message: { port?: number }) => void = () => {}
  const ready = new Promise<{ port?: number }>((resolve) => {
    onReady = resolve
  })
  // Resolves once the process has exited, so that no connection of it outlives its database.
  let answer: WorkerAnswer | undefined
  const done = new Promise<WorkerAnswer>((resolve, reject) => {
    child.on('message', (message: { type: string; port?: number }) => {
      if (message.type === 'ready') onReady(message)
      if (message.type === 'done') answer = message as WorkerAnswer
    })
    child.on('exit', (code) =>
      answer
        ? resolve(answer)
        : reject(new Error(`${task.library} worker (${task.mode}) exited with ${code}`)),
    )
  })
  child.send(task)
  return { child, ready, done }
}

export function payloads(count: number): BenchPayload[] {
  const t = nowMs()
  return Array.from({ length: count }, () => ({ t }))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A fresh database made ready for `library` and filled with `count` due no-op jobs, then vacuumed and
 * analyzed, so every library's drain starts from the same table state.
 */
export async function fillQueue(library: BenchLibrary, url: string, count: number): Promise<void> {
  await library.prepare(url)
  const producer = await library.producer(url)
  await producer.enqueueMany(payloads(count))
  await producer.close()
  await runSql(url, 'vacuum analyze')
}

export async function drainWith(library: BenchLibrary, url: string, setting: WorkerSetting, expect: number) {
  return spawnWorker({ library: library.name, url, setting, mode: 'drain', expect }).done
}

/** Bulk enqueue with the batch API, then single enqueue in a loop: jobs per second. */
export async function enqueueWorkload(library: BenchLibrary, sizes: Sizes): Promise<Measurement[]> {
  return withFreshDatabase(`${library.name}_enqueue`, async (url) => {
    await library.prepare(url)
    const producer = await library.producer(url)
    try {
      const bulk = payloads(sizes.bulk)
      let started = nowMs()
      await producer.enqueueMany(bulk)
      const bulkMs = nowMs() - started
      started = nowMs()
      for (let i = 0; i < sizes.single; i++) await producer.enqueue({ t: nowMs() })
      const singleMs = nowMs() - started
      return [
        {
          library: library.name,
          workload: 'bulk enqueue',
          value: (sizes.bulk / bulkMs) * 1000,
          unit: 'jobs/s',
        },
        {
          library: library.name,
          workload: 'single enqueue',
          value: (sizes.single / singleMs) * 1000,
          unit: 'jobs/s',
        },
      ]
    } finally {
      await producer.close()
    }
  })
}

/** N no-op jobs queued, one worker process, 10 in flight: jobs per second and the worker's peak RSS. */
export async function throughputWorkload(
  library: BenchLibrary,
  sizes: Sizes,
  setting: WorkerSetting,
): Promise<Measurement[]> {
  return withFreshDatabase(`${library.name}_${setting}`, async (url) => {
    await fillQueue(library, url, sizes.throughput)
    const before = await serverCounters(url)
    const answer = await drainWith(library, url, setting, sizes.throughput)
    const after = await serverCounters(url)
    const perJob = (value: number) => value / sizes.throughput
    const m = (workload: string, value: number, unit: string) => ({
      library: library.name,
      workload: `${workload} ${setting}`,
      value,
      unit,
    })
    // Where a job's time goes (bench/RESULTS.md, "Where the best setting's floor is"): the worker's
    // CPU over the drain, PostgreSQL's (every process of the server, so WAL writer and checkpointer
    // too; the whole machine's server, so it is only meaningful on an otherwise idle one), the WAL it
    // wrote and its commits.
    return [
      m('throughput', (sizes.throughput / answer.ms) * 1000, 'jobs/s'),
      m('peak RSS', answer.rssKb / 1024, 'MB'),
      m('worker CPU per job', perJob((answer.cpuUs ?? Number.NaN) / 1000) * 1000, 'µs'),
      m('PostgreSQL CPU per job', perJob(after.cpuMs - before.cpuMs) * 1000, 'µs'),
      m('WAL per job', perJob(after.walBytes - before.walBytes), 'bytes'),
      m('commits per 1,000 jobs', perJob(after.commits - before.commits) * 1000, 'commits'),
    ]
  })
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

/** An idle worker; jobs enqueued one at a time 20 ms apart; start minus enqueue. */
export async function latencyWorkload(library: BenchLibrary, sizes: Sizes): Promise<Measurement[]> {
  return withFreshDatabase(`${library.name}_latency`, async (url) => {
    await library.prepare(url)
    const producer = await library.producer(url)
    try {
      const worker = spawnWorker({
        library: library.name,
        url,
        setting: 'comparable',
        mode: 'latency',
        expect: sizes.latency,
      })
      await worker.ready
      for (let i = 0; i < sizes.latency; i++) {
        await producer.enqueue({ t: nowMs() })
        await sleep(20)
      }
      const answer = await worker.done
      const sorted = [...(answer.latencies ?? [])].sort((a, b) => a - b)
      return [50, 95, 99].map((p) => ({
        library: library.name,
        workload: `latency p${p}`,
        value: percentile(sorted, p),
        unit: 'ms',
      }))
    } finally {
      await producer.close()
    }
  })
}

/** Due jobs finished with no backlog, and under a backlog of future jobs with stale and fresh statistics. */
export async function backlogWorkload(library: BenchLibrary, sizes: Sizes): Promise<Measurement[]> {
  const none = await withFreshDatabase(`${library.name}_nobacklog`, async (url) => {
    await library.prepare(url)
    const producer = await library.producer(url)
    await producer.enqueueMany(payloads(sizes.backlogDue))
    await producer.close()
    await runSql(url, 'analyze')
    return (await drainWith(library, url, 'comparable', sizes.backlogDue)).ms
  })
  const [stale, fresh] = await withFreshDatabase(`${library.name}_backlog`, async (url) => {
    await library.prepare(url)
    const producer = await library.producer(url)
    const future = new Date(Date.now() + 24 * 3600_000)
    await producer.enqueueMany(payloads(sizes.backlogFuture), future)
    await runSql(url, 'vacuum analyze')
    await producer.enqueueMany(payloads(sizes.backlogDue))
    const staleMs = (await drainWith(library, url, 'comparable', sizes.backlogDue)).ms
    await producer.enqueueMany(payloads(sizes.backlogDue))
    await runSql(url, 'analyze')
    const freshMs = (await drainWith(library, url, 'comparable', sizes.backlogDue)).ms
    await producer.close()
    return [staleMs, freshMs]
  })
  const m = (workload: string, value: number, unit = 'ms') => ({
    library: library.name,
    workload,
    value,
    unit,
  })
  return [
    m('backlog none', none),
    m('backlog stale', stale),
    m('backlog fresh', fresh),
    m('backlog stale ÷ none', stale / none, 'x'),
  ]
}

/**
 * nightshift only: draining the throughput workload's N jobs with `process({ limit: 1000 })` in a loop
 * and with `POST /process-queue {limit: 1000}`, so that each compares with the comparable worker's
 * drain of as many jobs (a drain of fewer paid the same start-up over fewer jobs).
 */
export async function httpWorkload(library: BenchLibrary, sizes: Sizes): Promise<Measurement[]> {
  const count = sizes.throughput
  const inProcess = await withFreshDatabase('nightshift_process', async (url) => {
    await fillQueue(library, url, count)
    const answer = await spawnWorker({
      library: library.name,
      url,
      setting: 'comparable',
      mode: 'process',
      expect: count,
    }).done
    return answer.ms
  })
  const overHttp = await withFreshDatabase('nightshift_http', async (url) => {
    await fillQueue(library, url, count)
    const worker = spawnWorker({
      library: library.name,
      url,
      setting: 'comparable',
      mode: 'http',
      expect: count,
    })
    const { port } = await worker.ready
    const ms = await drainOverHttp(`http://127.0.0.1:${port}/process-queue`, url, library.remainingSql)
    worker.child.send('stop')
    await worker.done
    return ms
  })
  const m = (workload: string, value: number, unit: string) => ({
    library: library.name,
    workload,
    value,
    unit,
  })
  return [
    m('drain in-process', (count / inProcess) * 1000, 'jobs/s'),
    m('drain over HTTP', (count / overHttp) * 1000, 'jobs/s'),
    m('HTTP cost per job', ((overHttp - inProcess) / count) * 1000, 'µs'),
  ]
}
