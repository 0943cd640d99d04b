import { CompiledQuery, type Kysely } from 'kysely'
import pg from 'pg'

/**
 * The one seam between nightshift and a database driver: run a parameterised statement, get rows.
 * Statements are never named or prepared, so they work through transaction-mode poolers (PgBouncer,
 * Supabase Supavisor on port 6543).
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row[]>
  /** Runs `work` inside one transaction on one connection. */
  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T>
}

/** The subset of node-postgres's `Pool` that nightshift needs. */
export interface PoolLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
  connect(): Promise<ClientLike & { release(destroy?: boolean | Error): void }>
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

// biome-ignore lint/suspicious/noExplicitAny: any Kysely database type
function isKysely(value: unknown): value is Kysely<any> {
  return typeof value === 'object' && value !== null && 'executeQuery' in value && 'transaction' in value
}

function isPool(value: unknown): value is PoolLike {
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

function kyselyExecutor(db: { executeQuery: Kysely<unknown>['executeQuery'] }): SqlExecutor {
  return {
    async query<Row>(text: string, values: readonly unknown[] = []) {
      const result = await db.executeQuery(CompiledQuery.raw(text, [...values]))
      return result.rows as Row[]
    },
    async transaction(work) {
      // biome-ignore lint/suspicious/noExplicitAny: the Kysely given may be a transaction already
      const kysely = db as any
      if (kysely.isTransaction) return work(kyselyExecutor(kysely))
      return kysely.transaction().execute((trx: Kysely<unknown>) => work(kyselyExecutor(trx)))
    },
  }
}

function clientExecutor(client: ClientLike): SqlExecutor {
  const executor: SqlExecutor = {
    async query<Row>(text: string, values: readonly unknown[] = []) {
      const result = await client.query(text, [...values])
      return result.rows as Row[]
    },
    // The caller's client is already where the caller wants it (often inside its transaction).
    transaction: (work) => work(executor),
  }
  return executor
}

function poolExecutor(pool: PoolLike): SqlExecutor {
  return {
    async query<Row>(text: string, values: readonly unknown[] = []) {
      const result = await pool.query(text, [...values])
      return result.rows as Row[]
    },
    async transaction(work) {
      const client = await pool.connect()
      try {
        await client.query('begin')
        const result = await work(clientExecutor(client))
        await client.query('commit')
        client.release()
        return result
      } catch (error) {
        // A failed rollback means the connection is broken: destroy it rather than return it.
        await client.query('rollback').then(
          () => client.release(),
          (rollbackError: Error) => client.release(rollbackError),
        )
        throw error
      }
    },
  }
}

/** An executor for a caller's transaction or client (`enqueue(…, { db: trx })`). */
export function executorFor(db: TransactionInput | PoolLike): SqlExecutor {
  if (isKysely(db)) return kyselyExecutor(db)
  if (isPool(db)) return poolExecutor(db)
  return clientExecutor(db)
}

/** Opens what `createJobs({ db })` was given. */
export function openDatabase(db: DatabaseInput, options: { maxConnections: number }): OwnedDatabase {
  if (typeof db === 'string') {
    const pool = new pg.Pool({ connectionString: db, max: options.maxConnections })
    // An idle client that loses its connection emits 'error' on the pool; without a listener that
    // would crash the process. The next query reports the failure instead.
    pool.on('error', () => {})
    return { executor: poolExecutor(pool), pool, close: () => pool.end() }
  }
  if (isKysely(db)) return { executor: kyselyExecutor(db), pool: undefined, close: async () => {} }
  if (isPool(db)) return { executor: poolExecutor(db), pool: db, close: async () => {} }
  throw new TypeError('createJobs({ db }) needs a connection string, a pg Pool or a Kysely instance')
}
