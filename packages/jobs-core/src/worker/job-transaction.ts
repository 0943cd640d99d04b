import type { Kysely, Transaction } from 'kysely'
import type { SchemaName } from '../db/schema-name.js'
import { executorFor, isKysely, isPool, type PoolLike, type SqlExecutor } from '../db/sql-executor.js'
import { NightshiftError } from '../errors.js'
import { completeJobs } from '../queue/complete-jobs.js'
import type { JobRun } from './job-run.js'

/**
 * The connection `ctx.transaction` hands to its function when no Kysely is given: a node-postgres
 * client inside the open transaction (on a queue made with a Kysely instance, its transaction in the
 * same shape). Run the job's writes on it; they commit together with the job's completion, or not at all.
 *
 * @example
 * await ctx.transaction((tx: TransactionClient) => tx.query('insert into invoices (month) values ($1)', ['2026-11']))
 */
export interface TransactionClient {
  // biome-ignore lint/suspicious/noExplicitAny: rows are whatever the statement returns, as in pg
  query<Row = any>(text: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount?: number | null }>
}

/**
 * Where `ctx.transaction` opens its transaction, when not on the queue's own connection pool: the
 * app's node-postgres Pool. (Given a Kysely instance instead, see `KyselyTransactionOptions`.)
 *
 * @example
 * await ctx.transaction((tx) => tx.query('insert into audit (job) values ($1)', [ctx.jobId]), { db: appPool })
 */
export interface JobTransactionOptions {
  /**
   * The app's node-postgres Pool, on the SAME database as the queue: the job's completion is written in
   * the transaction, so it must reach the jobs table. Default: the pool `createJobs({ db })` uses.
   */
  db?: PoolLike
}

/**
 * `ctx.transaction(fn, { db: kysely })`: the transaction is the app's own Kysely transaction, so `fn`
 * gets a `Transaction<DB>` typed by the app's database interface (its plugins and dialect included),
 * and the job's completion is written on that same transaction. The Kysely instance must reach the
 * queue's database; it must be an instance, not a transaction (`ctx.transaction` opens and commits its own).
 *
 * @example
 * const db = new Kysely<AppDatabase>({ dialect: new PostgresDialect({ pool }) })
 * await ctx.transaction(async (trx) => {
 *   await trx.insertInto('invoices').values({ month: '2026-11' }).execute() // typed by AppDatabase
 *   return { invoices: 1 }
 * }, { db })
 */
export interface KyselyTransactionOptions<DB> {
  db: Kysely<DB>
}

/** What a runner gives every run's `ctx.transaction`. */
export interface JobTransactionDependencies {
  executor: SqlExecutor
  schema: SchemaName
  workerId: string
}

/**
 * `ctx.transaction(fn)`: runs `fn(tx)` in one transaction and, in that same transaction, completes the
 * run's job (transition `complete`, fenced on the run's token and this worker's lock) with `fn`'s
 * return value as its result. See `JobContext.transaction` for the contract.
 *
 * Why the fence is checked at the end and the row is not locked `FOR UPDATE` at the start (River's
 * `JobCompleteTx` does the same): the completion's UPDATE is the fence and takes the row lock, so from
 * it to the commit no reaper, cancel or claim can change the row (they wait for the commit, then find
 * it completed). A lock taken at the start would make them wait for all of `fn` (a cancel hanging on a
 * slow HTTP call made inside it) without making anything more correct: a run that lost its job before
 * the end fails the fence and rolls back whatever it wrote.
 */
export async function runJobTransaction<T>(
  deps: JobTransactionDependencies,
  run: JobRun,
  // biome-ignore lint/suspicious/noExplicitAny: a pg-style client or the app's Kysely transaction
  fn: (tx: any) => Promise<T> | T,
  // biome-ignore lint/suspicious/noExplicitAny: any Kysely database type
  options: JobTransactionOptions | KyselyTransactionOptions<any> = {},
): Promise<T> {
  if (run.transaction !== 'none')
    throw new NightshiftError(
      'invalid_option',
      'ctx.transaction can be called once per run: it completes the job when it commits',
    )
  if (run.aborted) throw run.abortReason
  const open = transactionOpener(deps, options.db)
  run.transaction = 'open'
  try {
    const value = await open(async (sql, tx) => {
      const returned = await fn(tx)
      // A run already interrupted (timeout, hard stop, lost lease at a heartbeat) has had its outcome
      // decided: do not complete it behind the runner's back.
      if (run.aborted) throw run.abortReason
      const result = returned === undefined ? null : JSON.stringify(returned)
      const done = await completeJobs(sql, deps.schema, deps.workerId, [
        { id: run.id, token: run.token, result },
      ])
      if (done.length === 0) {
        // Throwing rolls back `fn`'s writes with the (empty) completion.
        run.transaction = 'lost'
        throw new NightshiftError(
          'lease_lost',
          `job ${run.id} run ${run.token} is no longer held by this worker (lease expired, cancelled or claimed again): its transaction was rolled back`,
        )
      }
      // The fence holds the row's lock until the COMMIT; once PostgreSQL commits, other connections
      // (a heartbeat, a progress write) read the row completed before this one hears the COMMIT's answer.
      run.transaction = 'committing'
      return returned
    })
    run.transactionSettled('committed')
    return value
  } catch (error) {
    // Set inside the transaction's callback, which TypeScript does not see.
    if ((run.transaction as JobRun['transaction']) === 'lost') {
      // The stale run records nothing more: abort it, the runner writes nothing for a lost run.
      run.abort(error)
      throw error
    }
    // Rolled back, and the handler may try again within this run. (A COMMIT whose answer was lost may
    // have committed: then the row is completed and the runner's fenced failure of the run writes nothing.)
    run.transactionSettled('none')
    throw error
  }
}

/**
 * Opens one transaction and runs `work(sql, tx)` in it: `sql` runs nightshift's completion, `tx` is what
 * the handler's `fn` receives. On the queue's executor or the app's Pool, `tx` is a pg-style client; on
 * the app's Kysely, it is the Kysely transaction itself (so `fn` keeps the app's types and plugins),
 * and the completion runs on that same transaction.
 */
function transactionOpener(
  deps: JobTransactionDependencies,
  // biome-ignore lint/suspicious/noExplicitAny: any Kysely database type
  db: PoolLike | Kysely<any> | undefined,
): <R>(work: (sql: SqlExecutor, tx: unknown) => Promise<R>) => Promise<R> {
  if (db === undefined) return (work) => deps.executor.transaction(work)
  if (isKysely(db) && !db.isTransaction)
    return (work) => db.transaction().execute((trx: Transaction<unknown>) => work(executorFor(trx), trx))
  if (isPool(db)) {
    const executor = executorFor(db)
    return (work) => executor.transaction(work)
  }
  throw new NightshiftError(
    'invalid_option',
    'ctx.transaction({ db }) needs a pg Pool or a Kysely instance (not a client or a transaction): it opens and commits its own transaction',
  )
}
