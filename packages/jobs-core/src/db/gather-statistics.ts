import { messageOf } from '../errors.js'
import type { Logger } from '../logger.js'
import type { SchemaName } from './schema-name.js'
import type { SqlExecutor } from './sql-executor.js'

/**
 * Gathers the jobs table's planner statistics once, the first time a claim finds a backlog, if
 * PostgreSQL has none yet (a table that autovacuum has not analyzed: a new install, or autovacuum off).
 *
 * Without statistics the planner guesses that almost no row is pending and claims through a bitmap
 * scan that reads and sorts every due job, on every claim: a worker drained 100,000 queued jobs at
 * about 1,000 a second instead of 19,000 (bench/RESULTS.md). After `analyze` the prepared claims are
 * planned again and walk the claim index in order.
 *
 * Runs in the background and never throws. `analyze` needs the table's owner; for another role
 * PostgreSQL skips it with a warning, and this logs that claims may be slow until autovacuum runs.
 *
 * @example
 * const backlogSeen = statisticsGatherer(executor, schema, logger)
 * if (claimed.length === limit) backlogSeen()
 */
export function statisticsGatherer(executor: SqlExecutor, schema: SchemaName, logger: Logger): () => void {
  let started = false
  const missing = async () => {
    const [row] = await executor.query<{ missing: boolean }>(
      `select not exists (select from pg_stats where schemaname = $1 and tablename = 'jobs' and attname = 'status')
       as missing`,
      [schema.name],
    )
    return row?.missing === true
  }
  return () => {
    if (started) return
    started = true
    void (async () => {
      if (!(await missing())) return
      await executor.query(`analyze ${schema.jobs}`, [])
      if (await missing()) {
        logger.warn('nightshift: the jobs table has no planner statistics and this role cannot analyze it', {
          table: `${schema.name}.jobs`,
          hint: 'claims read every due job until autovacuum analyzes the table; run ANALYZE as its owner',
        })
      } else {
        logger.info('nightshift: gathered planner statistics for the jobs table, which had none', {
          table: `${schema.name}.jobs`,
        })
      }
    })().catch((error) => {
      // Tried again at the next backlog: a failed look (the database restarting) says nothing.
      started = false
      logger.warn('nightshift: could not check the jobs table for planner statistics', {
        error: messageOf(error),
      })
    })
  }
}
