import { readdirSync, readFileSync } from 'node:fs'
import pg from 'pg'

/** What the PostgreSQL server has spent so far: CPU of its processes, WAL written, commits in one database. */
export interface ServerCounters {
  cpuMs: number
  walBytes: number
  commits: number
}

// Linux's USER_HZ: /proc/<pid>/stat counts CPU in ticks of 10 ms.
const msPerTick = 10

function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/**
 * CPU of the postmaster whose child `backendPid` is, and of all its children: user and system time of
 * each, plus what the postmaster collected from children that exited (cutime, cstime), so backends
 * that end during a measurement still count. Other clusters on the machine are not counted.
 */
function postgresCpuMs(backendPid: number): number {
  // A server on another machine: its processes are not in this /proc, so there is no figure.
  const backend = statFields(backendPid)
  if (backend === undefined) return Number.NaN
  const postmaster = Number(backend[1])
  let ticks = 0
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    const fields = statFields(pid)
    if (!fields || (pid !== postmaster && Number(fields[1]) !== postmaster)) continue
    // utime, stime, cutime, cstime: fields 14–17 of stat, 11–14 after the command name.
    for (const index of [11, 12, 13, 14]) ticks += Number(fields[index])
  }
  return ticks * msPerTick
}

/**
 * Reads the server's counters through `url`'s database: machine-wide CPU of that PostgreSQL and its
 * WAL position, and the commits made in that database (statistics of exited backends included).
 * Linux only, and the server must run on this machine (the benchmark's does).
 */
export async function serverCounters(url: string): Promise<ServerCounters> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ pid: number; wal: string; commits: string }>(
      `select pg_backend_pid() as pid, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as wal,
              (select xact_commit from pg_stat_database where datname = current_database())::text as commits`,
    )
    const row = rows[0] as { pid: number; wal: string; commits: string }
    return { cpuMs: postgresCpuMs(row.pid), walBytes: Number(row.wal), commits: Number(row.commits) }
  } finally {
    await client.end()
  }
}
