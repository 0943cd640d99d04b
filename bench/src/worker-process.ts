// A child process that runs one worker, so that its peak RSS is the worker's own.
// Told what to do by one IPC message; answers `ready` (when it should) and then `done`.
import http from 'node:http'
import pg from 'pg'
import { nowMs, type WorkerSetting } from './bench-library.js'
import { loadLibrary } from './load-library.js'

/** What the parent asks a worker process to do. */
export interface WorkerTask {
  library: string
  url: string
  setting: WorkerSetting
  /** drain: run until `expect` jobs ran and none is left; latency: record start minus enqueue; http/process: nightshift's two drain paths. */
  mode: 'drain' | 'latency' | 'http' | 'process'
  expect: number
}

/** What a worker process answers when done. */
export interface WorkerAnswer {
  type: 'done'
  ms: number
  /** drain: when the worker started and when the queue was first seen empty (`nowMs()`, comparable across processes). */
  startedAt?: number
  emptyAt?: number
  rssKb: number
  /** drain: CPU time (user + system) of this process from the worker's start to the empty queue. */
  cpuUs?: number
  latencies?: number[]
}

const send = (message: unknown) => process.send?.(message)

/**
 * Polls until the database shows no due work left; returns when the poll that first saw none began, so
 * the time a library's own count takes (a sequential scan for some, behind a large backlog) is not
 * charged to it.
 */
async function waitUntilEmpty(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    for (;;) {
      const polledAt = nowMs()
      const { rows } = await client.query<{ n: number }>(sql)
      const left = rows[0]?.n ?? 0
      if (left === 0) return polledAt
      // Far from empty (scale-out's workers poll from their first job on), a count every 2 ms would
      // compete with the drain it measures; near the end the 2 ms resolution matters.
      await new Promise((resolve) => setTimeout(resolve, left > 1000 ? 50 : 2))
    }
  } finally {
    await client.end()
  }
}

async function drain(task: WorkerTask): Promise<WorkerAnswer> {
  const library = await loadLibrary(task.library)
  let ran = 0
  let startedAt = 0
  let cpuAtStart: NodeJS.CpuUsage | undefined
  const latencies: number[] = []
  let allRan: () => void = () => {}
  const allRanPromise = new Promise<void>((resolve) => {
    allRan = resolve
  })
  const worker = await library.startWorker(
    task.url,
    task.setting,
    (payload) => {
      if (task.mode === 'latency') latencies.push(nowMs() - payload.t)
      if (++ran >= task.expect) allRan()
    },
    () => {
      startedAt = nowMs()
      cpuAtStart = process.cpuUsage()
    },
  )
  if (task.mode === 'latency') {
    // Let the worker settle (LISTEN connected, first empty poll done) before the parent enqueues.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    send({ type: 'ready' })
  }
  await allRanPromise
  const emptyAt = await waitUntilEmpty(task.url, library.remainingSql)
  const cpu = process.cpuUsage(cpuAtStart)
  const ms = emptyAt - startedAt
  await worker.stop()
  return {
    type: 'done',
    ms,
    startedAt,
    emptyAt,
    rssKb: process.resourceUsage().maxRSS,
    cpuUs: cpu.user + cpu.system,
    latencies,
  }
}

/** jobs-core and the no-op job, loaded only by the worker processes that run nightshift. */
async function nightshift() {
  const [{ createHandler, createJobs }, { noopJob }] = await Promise.all([
    import('@nightshift/jobs-core'),
    import('./nightshift-library.js'),
  ])
  return { createHandler, createJobs, noopJob }
}

async function drainInProcess(task: WorkerTask): Promise<WorkerAnswer> {
  const { createJobs, noopJob } = await nightshift()
  const jobs = createJobs({ db: task.url, jobs: [noopJob] })
  const startedAt = nowMs()
  let ran = 0
  while (ran < task.expect) {
    const report = await jobs.process({ limit: 1000 })
    ran += report.completed
    if (report.completed === 0 && report.running === 0) break
  }
  const ms = nowMs() - startedAt
  await jobs.close()
  return { type: 'done', ms, rssKb: process.resourceUsage().maxRSS }
}

async function serveHttp(task: WorkerTask): Promise<WorkerAnswer> {
  const { createHandler, createJobs, noopJob } = await nightshift()
  const jobs = createJobs({ db: task.url, jobs: [noopJob] })
  const handle = createHandler(jobs, { auth: 'none' })
  const server = http.createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const request = new Request(`http://127.0.0.1${incoming.url}`, {
      method: incoming.method,
      headers: incoming.headers as Record<string, string>,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    })
    const response = await handle(request)
    outgoing.writeHead(response.status, Object.fromEntries(response.headers))
    outgoing.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const stopped = new Promise<void>((resolve) => process.once('message', () => resolve()))
  send({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 })
  await stopped
  server.close()
  await jobs.close()
  return { type: 'done', ms: 0, rssKb: process.resourceUsage().maxRSS }
}

process.once('message', (task: WorkerTask) => {
  const work = task.mode === 'http' ? serveHttp : task.mode === 'process' ? drainInProcess : drain
  work(task).then(
    (answer) => {
      process.send?.(answer, () => process.exit(0))
    },
    (error) => {
      console.error(error)
      process.exit(1)
    },
  )
})
