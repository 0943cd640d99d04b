import type { PoolLike } from '../db/sql-executor.js'
import { messageOf } from '../errors.js'
import type { Logger } from '../logger.js'

interface ListenClient {
  query(text: string): Promise<unknown>
  on(event: 'notification', listener: (message: { channel: string }) => void): unknown
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown
  release(destroy?: boolean | Error): void
}

export interface JobListenerOptions {
  pool: PoolLike
  /** The NOTIFY channel that inserts into the jobs table wake. */
  channel: string
  logger: Logger
  /** A job was enqueued, or listening (re)started and whatever was enqueued meanwhile is due now. */
  notified(): void
}

/**
 * Holds one connection that LISTENs for enqueued jobs, and reconnects on a timer of its own when it is
 * lost (at once after a drop, then backing off while connecting fails). Needs a direct connection:
 * through a transaction-mode pooler LISTEN receives nothing.
 */
export class JobListener {
  readonly #options: JobListenerOptions
  #client: ListenClient | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #failures = 0
  #closed = false

  constructor(options: JobListenerOptions) {
    this.#options = options
  }

  start(): void {
    void this.#connect()
  }

  /**
   * Stops listening and reconnecting. The connection is closed, not returned to the pool, so closing
   * needs no round trip (an UNLISTEN could wait forever on a database that stopped answering).
   */
  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#drop()
  }

  async #connect(): Promise<void> {
    this.#timer = undefined
    if (this.#closed) return
    const { pool, channel, logger } = this.#options
    let client: ListenClient
    try {
      client = (await pool.connect()) as unknown as ListenClient
    } catch (error) {
      if (this.#closed) return
      logger.error('nightshift: could not LISTEN; retrying', { error: messageOf(error) })
      this.#retry(Math.min(30_000, 500 * 2 ** this.#failures++))
      return
    }
    if (this.#closed) {
      client.release(true)
      return
    }
    this.#client = client
    const lost = (error?: Error) => {
      if (this.#client !== client) return
      this.#drop(error ?? new Error('connection ended'))
      if (this.#closed) return
      logger.warn('nightshift: lost the LISTEN connection; reconnecting', {
        error: error && messageOf(error),
      })
      this.#retry(500)
    }
    client.on('error', lost)
    client.on('end', lost)
    client.on('notification', (message) => {
      if (message.channel === channel) this.#options.notified()
    })
    try {
      await client.query(`listen "${channel}"`)
    } catch (error) {
      lost(error instanceof Error ? error : new Error(messageOf(error)))
      return
    }
    if (this.#client !== client) return
    this.#failures = 0
    // Whatever was enqueued while we were not listening is due now.
    this.#options.notified()
  }

  #retry(delayMs: number): void {
    if (this.#closed || this.#timer !== undefined) return
    this.#timer = setTimeout(() => void this.#connect(), delayMs)
  }

  #drop(error: Error | boolean = true): void {
    const client = this.#client
    if (client === undefined) return
    this.#client = undefined
    client.release(error)
  }
}
