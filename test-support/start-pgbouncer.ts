import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from './free-port.js'

/** A PgBouncer in transaction mode in front of a database, on a spare port. */
export interface RunningPgBouncer {
  /** A connection string to the database it was started in front of, through the pooler. */
  url: string
  /** A connection string to another `database` of the same server, through the pooler. */
  urlFor(database: string): string
  stop(): Promise<void>
}

function pgbouncerBinary(): string {
  for (const candidate of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'])
    if (existsSync(candidate)) return candidate
  try {
    return execFileSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' }).trim()
  } catch {
    throw new Error(
      'pgbouncer is not installed: install the Debian package `pgbouncer` (apt-get install -y pgbouncer); .ci/run does',
    )
  }
}

/**
 * Why PgBouncer cannot run here (it is not installed, with how to get it), or undefined when it can.
 *
 * @example
 * const missing = pgbouncerMissing()
 * test.skipIf(missing)('through PgBouncer', async () => {})
 */
export function pgbouncerMissing(): string | undefined {
  try {
    pgbouncerBinary()
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

/**
 * Starts PgBouncer (pool_mode = transaction, as Supabase's Supavisor on 6543) in front of the server
 * `database` is on, as PgBouncer requires: as root it runs with `-u postgres` from a folder postgres
 * owns. Every database of that server is reachable through it, as the same user.
 *
 * @example
 * const pgbouncer = await startPgBouncer(db.url)
 * afterAll(() => pgbouncer.stop())
 * const jobs = createJobs({ db: pgbouncer.url, jobs })
 */
export async function startPgBouncer(database: string | URL): Promise<RunningPgBouncer> {
  const upstream = new URL(database)
  const binary = pgbouncerBinary()
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-pgbouncer-'))
  const user = decodeURIComponent(upstream.username || 'postgres')
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" ""\n"postgres" ""\n`)
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${upstream.hostname} port=${upstream.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'pool_mode = transaction',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'ignore_startup_parameters = extra_float_digits,options',
      'max_client_conn = 200',
      'default_pool_size = 10',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  )
  const asRoot = process.getuid?.() === 0
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir])
  execFileSync(
    binary,
    asRoot ? ['-d', '-u', 'postgres', join(dir, 'pgbouncer.ini')] : ['-d', join(dir, 'pgbouncer.ini')],
  )
  const urlFor = (name: string) => `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${name}`
  // Wait until it answers.
  let lastError: unknown
  for (let i = 0; i < 100; i++) {
    const client = new pg.Client({ connectionString: urlFor('postgres') })
    try {
      await client.connect()
      await client.query('select 1')
      await client.end()
      lastError = undefined
      break
    } catch (error) {
      lastError = error
      await client.end().catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const pidFile = join(dir, 'pgbouncer.pid')
  const stop = async () => {
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim())
      try {
        process.kill(pid, 'SIGTERM')
      } catch {}
      for (let i = 0; i < 50 && existsSync(pidFile); i++)
        await new Promise((resolve) => setTimeout(resolve, 100))
    }
    rmSync(dir, { recursive: true, force: true })
  }
  if (lastError !== undefined) {
    const log = existsSync(join(dir, 'pgbouncer.log')) ? readFileSync(join(dir, 'pgbouncer.log'), 'utf8') : ''
    await stop()
    throw new Error(`pgbouncer did not start: ${String(lastError)}\n${log}`)
  }
  return { url: urlFor(upstream.pathname.slice(1) || 'postgres'), urlFor, stop }
}
