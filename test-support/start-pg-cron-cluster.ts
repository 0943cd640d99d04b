import { execFileSync } from 'node:child_process'
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A second PostgreSQL cluster with pg_cron loaded, for tests of Supabase Cron SQL. */
export interface PgCronCluster {
  port: number
  /** A connection string to `database` (default `postgres`, where pg_cron lives). */
  url(database?: string): string
  stop(): Promise<void>
}

const bin = '/usr/lib/postgresql/15/bin'
const dirPrefix = 'nightshift-pg-cron-'

/** Why pg_cron cannot run here (with how to get it), or undefined when it can. */
export function pgCronMissing(): string | undefined {
  if (!existsSync(join(bin, 'initdb'))) return `PostgreSQL 15 server binaries are not in ${bin}`
  if (!existsSync('/usr/lib/postgresql/15/lib/pg_cron.so')) {
    return 'pg_cron is not installed: apt-get install -y postgresql-15-cron (.ci/run does)'
  }
  return undefined
}

const asRoot = process.getuid?.() === 0

/** Runs a PostgreSQL binary as the postgres user (initdb and postgres refuse to run as root). */
function run(binary: string, args: string[]): string {
  const [command, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, binary), ...args]]
    : [join(bin, binary), args]
  return execFileSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * Stops and removes clusters an earlier run left behind (its test process died before `stop()`): each
 * data folder records the pid of the process that made it.
 */
function removeStaleClusters(): void {
  for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith(dirPrefix))) {
    const dir = join(tmpdir(), name)
    const owner = Number(
      existsSync(join(dir, 'owner.pid')) ? readFileSync(join(dir, 'owner.pid'), 'utf8') : 0,
    )
    if (owner > 0 && alive(owner)) continue
    if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
      try {
        run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop'])
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** 5433 as the recipe has it; another free port when something else holds it (a parallel test file). */
async function sparePort(): Promise<number> {
  return (await portFree(5433)) ? 5433 : ephemeralPort()
}

/**
 * Starts a throwaway cluster with `shared_preload_libraries = 'pg_cron'` (pg_cron 1.4 from Debian's
 * postgresql-15-cron) and creates the extension in database `postgres`. Runs PostgreSQL as the postgres
 * user, listens on 127.0.0.1 only, trusts local logins. `stop()` stops it and removes its folder.
 *
 * @example
 * const cluster = await startPgCronCluster()
 * afterAll(() => cluster.stop())
 */
export async function startPgCronCluster(): Promise<PgCronCluster> {
  const missing = pgCronMissing()
  if (missing) throw new Error(missing)
  removeStaleClusters()
  const dir = mkdtempSync(join(tmpdir(), dirPrefix))
  writeFileSync(join(dir, 'owner.pid'), String(process.pid))
  const data = join(dir, 'data')
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir])
  const stop = async () => {
    if (existsSync(join(data, 'postmaster.pid'))) {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'])
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        '',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        "shared_preload_libraries = 'pg_cron'",
        "cron.database_name = 'postgres'",
        "cron.host = '127.0.0.1'",
        '',
      ].join('\n'),
    )
    // The port is given at start, so a port another cluster took between the check and the start (two
    // test files starting at once) is retried with another one.
    let port = await sparePort()
    for (let attempt = 1; ; attempt++) {
      try {
        run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', `-p ${port}`, '-w', 'start'])
        break
      } catch (error) {
        const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : ''
        if (attempt >= 3 || !log.includes('could not bind')) throw error
        port = await ephemeralPort()
      }
    }
    run('psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-qc',
      'create extension if not exists pg_cron',
    ])
    return { port, url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`, stop }
  } catch (error) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : ''
    await stop()
    const output = (error as { stderr?: string }).stderr ?? ''
    throw new Error(`the pg_cron cluster did not start: ${(error as Error).message}\n${output}\n${log}`)
  }
}
