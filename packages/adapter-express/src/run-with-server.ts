import type { Server } from 'node:http'
import type { Jobs, Worker, WorkerOptions } from '@nightshift/jobs-core'

/** What `runWithServer` needs of the queue. */
type ServedJobs = Pick<Jobs<never>, 'worker' | 'tick' | 'close' | 'logger'>

/** Options of `runWithServer`. */
export interface RunWithServerOptions {
  /** Passed to `jobs.worker()`. */
  worker?: WorkerOptions
  /** How often the in-process ticker enqueues due schedule slots. Default 30,000 ms, aligned to it. */
  tickIntervalMs?: number
  /** How long in-flight jobs may finish after the first signal. Default 30,000 ms. */
  shutdownTimeoutMs?: number
  /** Signals that start the graceful stop. Default `['SIGTERM', 'SIGINT']`. */
  signals?: NodeJS.Signals[]
  /** Called at the end: 0 after a graceful stop, 1 after a second signal aborted it. Default `process.exit`. */
  exit?: (code: number) => void
}

/** How long after the first signal copies of it are taken for the same keystroke. */
const relayWindowMs = 1000

/** The started worker and ticker, and a way to stop them without a signal. */
export interface RunningServer {
  readonly worker: Worker
  /** The graceful stop a signal starts; resolves when the pool is closed (before `exit`). */
  stop(): Promise<void>
}

/**
 * Ties the queue to a Node HTTP server's life: starts `jobs.worker()` and a schedule ticker
 * (`jobs.tick()` every `tickIntervalMs`, aligned to the clock). On SIGTERM/SIGINT it stops taking
 * HTTP work (the server stops listening; requests on kept-alive connections get 503), answers the
 * requests already in flight, stops claiming, lets running jobs finish up to `shutdownTimeoutMs` (then
 * they are aborted and handed back to `pending`), closes the pool and exits 0. A second signal, sent
 * a second or more after the first (copies of one Ctrl-C relayed by `npm` come sooner), exits 1 at
 * once; leased jobs return to `pending` when their lease expires, so nothing is lost either way.
 *
 * @example
 * const server = app.listen(3000)
 * runWithServer(jobs, server)
 */
export function runWithServer(
  jobs: ServedJobs,
  server: Server,
  options: RunWithServerOptions = {},
): RunningServer {
  const tickIntervalMs = options.tickIntervalMs ?? 30_000
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const signals = options.signals ?? ['SIGTERM', 'SIGINT']
  const worker = jobs.worker(options.worker)
  let ticker: ReturnType<typeof setTimeout> | undefined
  let stopping: Promise<void> | undefined

  const tick = () => {
    jobs.tick().catch((error: unknown) => jobs.logger.error('schedule tick failed', { error: String(error) }))
  }
  const scheduleTick = () => {
    ticker = setTimeout(
      () => {
        tick()
        scheduleTick()
      },
      tickIntervalMs - (Date.now() % tickIntervalMs),
    )
    ticker.unref()
  }
  tick()
  scheduleTick()

  const refuseRequests = () => {
    // Express stays attached to connections already open; swap it for a 503 so no new work starts.
    server.removeAllListeners('request')
    server.on('request', (_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '5' })
      res.end(
        JSON.stringify({ ok: false, error: { code: 'shutting_down', message: 'the server is stopping' } }),
      )
    })
  }

  // In-flight requests (a trigger waiting for its job) are answered before the pool closes.
  const requestsDone = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.closeAllConnections()
        resolve()
      }, options.shutdownTimeoutMs ?? 30_000)
      server.close(() => {
        clearTimeout(timer)
        resolve()
      })
      server.closeIdleConnections()
    })

  const stop = () => {
    stopping ??= (async () => {
      clearTimeout(ticker)
      refuseRequests()
      await Promise.all([requestsDone(), worker.stop({ timeoutMs: options.shutdownTimeoutMs ?? 30_000 })])
      await jobs.close()
    })()
    return stopping
  }

  let firstSignalAt = 0
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // One Ctrl-C arrives several times within milliseconds: from the terminal and relayed by each
      // `npm` above this process. Only a signal sent later means "abort".
      if (Date.now() - firstSignalAt < relayWindowMs) return
      jobs.logger.warn(`${signal} again: aborting without waiting for running jobs`)
      exit(1)
      return
    }
    firstSignalAt = Date.now()
    jobs.logger.info(`${signal}: finishing running jobs and requests, then exiting`)
    stop().then(
      () => exit(0),
      (error: unknown) => {
        jobs.logger.error('shutdown failed', { error: String(error) })
        exit(1)
      },
    )
  }
  for (const signal of signals) process.on(signal, onSignal)

  return { worker, stop }
}
