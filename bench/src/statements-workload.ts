import pg from 'pg'
import { runSql, withFreshDatabase } from './bench-database.js'
import type { BenchLibrary, WorkerSetting } from './bench-library.js'
import { drainWith, fillQueue, type Measurement, type Sizes } from './workloads.js'

interface StatementRow {
  query: string
  calls: string
  total_ms: number
  rows: string
  wal_bytes: string
}

/**
 * What each library's statements cost PostgreSQL while a worker drains the throughput workload's jobs
 * with its best setting, read from `pg_stat_statements` (opt-in, `--workloads statements`; the server
 * must preload it: `shared_preload_libraries = 'pg_stat_statements'`, so run it with `DATABASE_URL`
 * naming such a server). Per job: statements sent, the server's execution time and WAL bytes of those
 * statements; the five statements that took most of that time are printed, normalised.
 */
export async function statementsWorkload(library: BenchLibrary, sizes: Sizes): Promise<Measurement[]> {
  const setting: WorkerSetting = 'best'
  return withFreshDatabase(`${library.name}_statements`, async (url) => {
    await fillQueue(library, url, sizes.throughput)
    await runSql(url, 'create extension if not exists pg_stat_statements')
    await runSql(url, 'select pg_stat_statements_reset()')
    await drainWith(library, url, setting, sizes.throughput)
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    let statements: StatementRow[]
    try {
      // The worker's own statements: this database's, without the count of what is left (every
      // library's `remainingSql` begins so).
      ;({ rows: statements } = await client.query<StatementRow>(
        `select query, calls::text, total_exec_time as total_ms, rows::text, wal_bytes::text
         from pg_stat_statements
         where dbid = (select oid from pg_database where datname = current_database())
           and query not like '%pg_stat_statements%' and query not like 'select count(*)::int as n from %'
         order by total_exec_time desc`,
      ))
    } finally {
      await client.end()
    }
    const sum = (pick: (row: StatementRow) => number) =>
      statements.reduce((total, row) => total + pick(row), 0)
    const jobs = sizes.throughput
    console.log(`  ${library.name} (${setting}): the statements that took most of the server's time`)
    for (const row of statements.slice(0, 5)) {
      const text = row.query.replace(/\s+/g, ' ').slice(0, 140)
      console.log(
        `    ${row.calls} calls, ${row.total_ms.toFixed(0)} ms, ${row.rows} rows, ${row.wal_bytes} WAL bytes: ${text}`,
      )
    }
    const m = (workload: string, value: number, unit: string) => ({
      library: library.name,
      workload: `${workload} ${setting}`,
      value,
      unit,
    })
    return [
      m('statements per 1,000 jobs', (sum((row) => Number(row.calls)) / jobs) * 1000, 'statements'),
      m('statement time per job', (sum((row) => row.total_ms) / jobs) * 1000, 'µs'),
      m('statement WAL per job', sum((row) => Number(row.wal_bytes)) / jobs, 'bytes'),
    ]
  })
}
