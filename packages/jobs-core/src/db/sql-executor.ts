import type { Kysely } from 'kysely'
import pg from 'pg'
import { type DatabaseLocation, databaseAddress, translateDatabaseError } from './connection-error.js'

/** How one statement runs. */
export interface QueryOptions {
  /**
   * The statement is on the queue's hot path (claim, complete, fail, extend): prepare it once per
   * connection where the executor may, so later runs send no SQL text and skip parsing and planning.
   */
  prepare?: boolean
}

/**
 * The one seam between nightshift and a database driver: run a parameterised statement, get rows.
 * Only a pool nightshift was given or opened prepares statements (see `preparedStatements`); a
 * caller's client or transaction and Kysely always run them unnamed.
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(
    text: string,
    values?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<Row[]>
  /**
   * Runs `work` inside one transaction on one connection. `client` is that connection as a pg client
   * (a Kysely transaction is wrapped to the same shape), for code that takes a client (`ctx.transaction`).
   */
  transaction<T>(work: (executor: SqlExecutor, client: ClientLike) => Promise<T>): Promise<T>
}

/** The subset of node-postgres's `Pool` that nightshift needs. */
export interface PoolLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>
  connect(): Promise<
    ClientLike & {
      release(destroy?: boolean | Error): void
      on?(event: 'error', listener: (error: Error) => void): unknown
      off?(event: 'error', listener: (error: Error) => void): unknown
    }
  >
  end(): Promise<void>
}

/** The subset of node-postgres's `Client` / `PoolClient` that nightshift needs. */
export interface ClientLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
}

/** What `createJobs({ db })` accepts: a connection string, a node-postgres Pool, or a Kysely instance. */
// biome-ignore lint/suspicious/noExplicitAny: any Kysely database type
export type DatabaseInput = string | PoolLike | Kysely<any>

/** What `enqueue(…, { db })` accepts, to enqueue inside the caller's transaction. */
// biome-ignore lint/suspicious/noExplicitAny: any Kysely database type
export type TransactionInput = ClientLike | Kysely<any>

/** Whether `value` is a Kysely instance (or a Kysely transaction, which is one too). */
// biome-ignore lint/suspicious/noExplicitAny: any Kysely database type
export function isKysely(value: unknown): value is Kysely<any> {
  return typeof value === 'object' && value !== null && 'executeQuery' in value && 'transaction' in value
}

/** Whether `value` is a node-postgres Pool (a client has no `totalCount`). */
export function isPool(value: unknown): value is PoolLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    'connect' in value &&
    'end' in value &&
    'totalCount' in value
  )
}

// A connection string becomes a Pool we own and close; anything given to us stays the caller's to close.
export interface OwnedDatabase {
  executor: SqlExecutor
  /** The pool, when there is one, for LISTEN. */
  pool: PoolLike | undefined
  close(): Promise<void>
}

let kyselyModule: Promise<typeof import('kysely')> | undefined

function kyselyExecutor(db: { executeQuery: Kysely<unknown>['executeQuery'] }): SqlExecutor {
  return {
    async query<Row>(text: string, values: readonly unknown[] = []) {
      // Loaded on first use: a process that never passes a Kysely never loads it (~19 MB of RSS).
      kyselyModule ??= import('kysely')
      const { CompiledQuery } = await kyselyModule
      try {
        const result = await db.executeQuery(CompiledQuery.raw(text, [...values]))
        return result.rows as Row[]
      } catch (error) {
        throw translateDatabaseError(error, undefined)
      }
    },
    async transaction(work) {
      // biome-ignore lint/suspicious/noExplicitAny: the Kysely given may be a transaction already
      const kysely = db as any
      if (kysely.isTransaction) return work(kyselyExecutor(kysely), kyselyClient(kysely))
      return kysely
        .transaction()
        .execute((trx: Kysely<unknown>) => work(kyselyExecutor(trx), kyselyClient(trx)))
    },
  }
}

/** A Kysely (transaction) as a pg-style client: `query(text, values)` answers `{ rows, rowCount }`. */
function kyselyClient(db: { executeQuery: Kysely<unknown>['executeQuery'] }): ClientLike {
  return {
    async query(text: string, values: unknown[] = []) {
      kyselyModule ??= import('kysely')
      const { CompiledQuery } = await kyselyModule
      const result = await db.executeQuery(CompiledQuery.raw(text, [...values]))
      const affected = result.numAffectedRows
      return { rows: result.rows as unknown[], rowCount: affected === undefined ? null : Number(affected) }
    },
  }
}

function clientExecutor(client: ClientLike, address: string | undefined): SqlExecutor {
  const executor: SqlExecutor = {
    async query<Row>(text: string, values: readonly unknown[] = []) {
      try {
        const result = await client.query(text, [...values])
        return result.rows as Row[]
      } catch (error) {
        throw translateDatabaseError(error, address)
      }
    },
    // The caller's client is already where the caller wants it (often inside its transaction).
    transaction: (work) => work(executor, client),
  }
  return executor
}

function poolExecutor(
  pool: PoolLike,
  options: { preparedStatements: boolean; queryTimeoutMs?: number; address: string | undefined },
): SqlExecutor {
  const { address } = options
  let prepare = options.preparedStatements
  const names = new Map<string, string>()
  const timeoutMs = options.queryTimeoutMs ?? 0
  const run = (config: QueryConfig) =>
    timeoutMs > 0 ? queryWithin(pool, config, timeoutMs) : pool.query(config)
  const executor: SqlExecutor = {
    async query<Row>(text: string, values: readonly unknown[] = [], queryOptions: QueryOptions = {}) {
      try {
        return await poolQuery<Row>(text, values, queryOptions)
      } catch (error) {
        throw translateDatabaseError(error, address)
      }
    },
    async transaction(work) {
      let client: Awaited<ReturnType<PoolLike['connect']>>
      try {
        client = await pool.connect()
      } catch (error) {
        throw translateDatabaseError(error, address)
      }
      // A checked-out client has no error listener (the pool listens only while it is idle), so a
      // connection cut between statements (pg_terminate_backend, a database restart, while the work
      // awaits something else) would be an unhandled 'error' event that ends the process. The next
      // statement fails on the dead connection instead, and the rollback below destroys it.
      const ignoreCut = () => {}
      client.on?.('error', ignoreCut)
      const release = (destroy?: Error) => {
        client.off?.('error', ignoreCut)
        client.release(destroy)
      }
      try {
        await client.query('begin')
        const result = await work(clientExecutor(client, address), client)
        await client.query('commit')
        release()
        return result
      } catch (error) {
        // A failed rollback means the connection is broken: destroy it rather than return it.
        await client.query('rollback').then(
          () => release(),
          (rollbackError: Error) => release(rollbackError),
        )
        throw error
      }
    },
  }

  // One statement, prepared where it may be; its errors are translated by `query`.
  async function poolQuery<Row>(text: string, values: readonly unknown[], queryOptions: QueryOptions) {
    if (prepare && queryOptions.prepare) {
      let name = names.get(text)
      if (name === undefined) {
        name = statementName(text)
        names.set(text, name)
      }
      try {
        return (await run({ name, text, values: [...values] })).rows as Row[]
      } catch (error) {
        // A transaction-mode pooler hands each statement to whichever server connection is free, so
        // a statement prepared on one is missing (26000) or already there (42P05) on another. Both
        // fail before the statement runs: stop preparing for good and run it unnamed.
        if (!isPoolerPreparedStatementError(error)) throw error
        prepare = false
      }
    }
    const result = await run({ text, values: [...values] })
    return result.rows as Row[]
  }
  return executor
}

interface QueryConfig {
  name?: string
  text: string
  values: unknown[]
}

/**
 * Runs one statement with `pool.query`, but gives up waiting after `timeoutMs`: the caller gets an
 * error at once. The timeout is the client's: the server may still run the statement (a
 * `statement_timeout` cannot be set at startup through a transaction-mode pooler), and its connection
 * returns to the pool when the server answers. Not node-postgres' own `query_timeout`, which also
 * destroys the connection but measured ~10 MB more peak RSS (20,000 statements, and in the benchmark's
 * worker); a timer raced against each statement measured no difference.
 */
async function queryWithin(
  pool: PoolLike,
  config: QueryConfig,
  timeoutMs: number,
): Promise<{ rows: unknown[] }> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const running = pool.query(config)
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`query timed out after ${timeoutMs} ms (queryTimeoutMs)`)),
      timeoutMs,
    )
  })
  try {
    return await Promise.race([running, timedOut])
  } catch (error) {
    // A statement given up on may still fail later; nobody waits for it any more.
    running.catch(() => {})
    throw error
  } finally {
    clearTimeout(timer)
  }
}

/** The error a pooler gives for a prepared statement of another server connection. */
function isPoolerPreparedStatementError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '26000' || code === '42P05'
}

/** A name fixed by the statement's text (FNV-1a, 64 bits), so two queues on one pool never clash. */
function statementName(text: string): string {
  let high = 0xcbf29ce4
  let low = 0x84222325
  for (let index = 0; index < text.length; index++) {
    low = (low ^ text.charCodeAt(index)) >>> 0
    // Multiply the 64-bit value by the FNV prime 0x100000001b3, in two 32-bit halves.
    const lowProduct = low * 0x1b3
    high = (Math.imul(high, 0x1b3) + Math.imul(low, 0x100) + Math.floor(lowProduct / 2 ** 32)) >>> 0
    low = lowProduct >>> 0
  }
  return `nightshift_${high.toString(16).padStart(8, '0')}${low.toString(16).padStart(8, '0')}`
}

/** An executor for a caller's transaction or client (`enqueue(…, { db: trx })`). */
export function executorFor(db: TransactionInput | PoolLike): SqlExecutor {
  if (isKysely(db)) return kyselyExecutor(db)
  const address = databaseAddress(db as DatabaseLocation)
  if (isPool(db)) return poolExecutor(db, { preparedStatements: false, address })
  return clientExecutor(db, address)
}

/** How `openDatabase` sets up the pool it opens for a connection string. */
export interface OpenDatabaseOptions {
  maxConnections: number
  preparedStatements: boolean
  /** Give up connecting after this long (0: never). */
  connectTimeoutMs: number
  /** Give up on one of nightshift's statements after this long (0: never); not inside a transaction. */
  queryTimeoutMs: number
}

/** Opens what `createJobs({ db })` was given. */
export function openDatabase(db: DatabaseInput, options: OpenDatabaseOptions): OwnedDatabase {
  const { preparedStatements } = options
  if (typeof db === 'string') {
    const pool = new pg.Pool({
      connectionString: db,
      max: options.maxConnections,
      connectionTimeoutMillis: options.connectTimeoutMs,
    })
    // An idle client that loses its connection emits 'error' on the pool; without a listener that
    // would crash the process. The next query reports the failure instead.
    pool.on('error', () => {})
    // The pool listens for a client's errors only while the client is idle. A client handed out by
    // `pool.connect()` has none until its taker's `await` resumes, and a connection cut as it opens
    // (ReadyForQuery and the server's FATAL read in one chunk, as a database shuts down) would emit
    // its 'error' in that gap and end the process. So every client the pool makes gets one listener
    // for good; the failure reaches whoever uses the client next, and the pool drops it on release.
    pool.on('connect', (client) => client.on('error', () => {}))
    return {
      executor: poolExecutor(pool, {
        preparedStatements,
        queryTimeoutMs: options.queryTimeoutMs,
        // From the string the pool was made with: host and port only, never the credentials.
        address: databaseAddress(db),
      }),
      pool,
      close: () => pool.end(),
    }
  }
  if (isKysely(db)) return { executor: kyselyExecutor(db), pool: undefined, close: async () => {} }
  if (isPool(db))
    return {
      executor: poolExecutor(db, { preparedStatements, address: databaseAddress(db as DatabaseLocation) }),
      pool: db,
      close: async () => {},
    }
  throw new TypeError('createJobs({ db }) needs a connection string, a pg Pool or a Kysely instance')
}
