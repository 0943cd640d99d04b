import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, portIsFree } from './free-port.js'

/**
 * A PostgreSQL cluster of one test file's own, on its own port and folder: never the machine's
 * PostgreSQL, which other test files use while this one stops, freezes or reconfigures its own.
 */
export interface PrivatePostgres {
  port: number
  /** The cluster's folder: `data/`, `server.log`, and `owner.pid` (the process that started it). */
  folder: string
  /** A connection string to `database` (default `postgres`), with `application_name` when given. */
  url(database?: string, applicationName?: string): string
  /**
   * Stops the server and keeps its data: `immediate` drops every connection at once, as a crash does;
   * `fast` cuts every session and shuts down cleanly.
   */
  stop(mode: 'immediate' | 'fast'): Promise<void>
  /** Starts it again on the same port and data. */
  start(): Promise<void>
  /**
   * SIGSTOPs the server and every backend: connections stay open and nothing answers, as with a
   * database host that hangs or a network that drops packets. `thaw()` SIGCONTs them.
   */
  freeze(): void
  thaw(): void
  /** Stops it (thawed first when frozen) and removes its folder. */
  remove(): Promise<void>
}

/** Options of `startPrivatePostgres`: what differs between the tests that start one. */
export interface PrivatePostgresOptions {
  /**
   * Preload pg_cron (Debian's postgresql-15-cron, pg_cron 1.4) with `cron.database_name = 'postgres'`
   * and create the extension there, as Supabase Cron has it.
   */
  pgCron?: boolean
  /** The port to listen on when it is free; another free one when it is not. Default: any free port. */
  port?: number
}

// The machine's PostgreSQL 15 server binaries: pg_cron is built for them, and pg_ctl gives stop modes.
const bin = '/usr/lib/postgresql/15/bin'
const pgCronLibrary = '/usr/lib/postgresql/15/lib/pg_cron.so'
// Every private cluster's folder starts so; a start removes only folders whose owner has died.
const folderPrefix = 'nightshift-private-pg-'
const asRoot = process.getuid?.() === 0

/**
 * Why a private cluster with `options` cannot run here (with how to get what is missing), or
 * undefined when it can.
 *
 * @example
 * const missing = privatePostgresMissing({ pgCron: true })
 * describe.skipIf(missing)('Supabase Cron', () => {})
 */
export function privatePostgresMissing(options: PrivatePostgresOptions = {}): string | undefined {
  if (!existsSync(join(bin, 'initdb'))) {
    return `PostgreSQL 15 server binaries are not in ${bin}: apt-get install -y postgresql-15`
  }
  if (options.pgCron && !existsSync(pgCronLibrary)) {
    return 'pg_cron is not installed: apt-get install -y postgresql-15-cron (.ci/run does)'
  }
  return undefined
}

/**
 * Runs a PostgreSQL binary, as the postgres user when we are root (initdb and postgres refuse root),
 * without blocking the event loop: hosts served from this process keep answering while it waits.
 */
function run(binary: string, args: string[]): Promise<string> {
  const [command, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, binary), ...args]]
    : [join(bin, binary), args]
  return new Promise((resolve, reject) =>
    execFile(command, argv, { encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(new Error(`${binary} failed: ${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  )
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Stops and removes the clusters of earlier runs whose test process died before `remove()`. */
async function removeStaleClusters(): Promise<void> {
  for (const name of (await readdir(tmpdir())).filter((entry) => entry.startsWith(folderPrefix))) {
    const folder = join(tmpdir(), name)
    // Only a folder this module made (an owner.pid beside data/) whose owner has died; never another's.
    if (!existsSync(join(folder, 'owner.pid')) || !existsSync(join(folder, 'data'))) continue
    const owner = Number(await readFile(join(folder, 'owner.pid'), 'utf8'))
    if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) continue
    if (existsSync(join(folder, 'data', 'postmaster.pid'))) {
      await run('pg_ctl', ['-D', join(folder, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => {})
    }
    await rm(folder, { recursive: true, force: true })
  }
}

async function readLog(folder: string): Promise<string> {
  return existsSync(join(folder, 'server.log')) ? readFile(join(folder, 'server.log'), 'utf8') : ''
}

/**
 * Initialises and starts a throwaway cluster from the machine's PostgreSQL 15 server binaries: trust
 * on 127.0.0.1 only, its socket inside its own folder, run as the postgres user when we are root.
 * Clusters that an earlier, killed test process left running are stopped and removed first.
 *
 * @example
 * const cluster = await startPrivatePostgres({ pgCron: true, port: 5433 })
 * afterAll(() => cluster.remove())
 * await cluster.stop('immediate') // hosts on it now answer 503
 * await cluster.start()
 */
export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const missing = privatePostgresMissing(options)
  if (missing) throw new Error(missing)
  await removeStaleClusters()
  const folder = await mkdtemp(join(tmpdir(), folderPrefix))
  await writeFile(join(folder, 'owner.pid'), String(process.pid))
  if (asRoot) execFileSync('chown', ['postgres:postgres', folder])
  const data = join(folder, 'data')
  let port = options.port !== undefined && (await portIsFree(options.port)) ? options.port : await freePort()

  const start = async () => {
    try {
      await run('pg_ctl', ['-D', data, '-l', join(folder, 'server.log'), '-o', `-p ${port}`, '-w', 'start'])
    } catch (error) {
      throw new Error(
        `the private cluster did not start on port ${port}: ${(error as Error).message}\n${await readLog(folder)}`,
      )
    }
  }
  const running = () => existsSync(join(data, 'postmaster.pid'))
  const stop = async (mode: 'immediate' | 'fast') => {
    if (running()) await run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop'])
  }
  // The postmaster's pid (first line of postmaster.pid) and its children, read when frozen.
  let frozen: number[] = []
  const freeze = () => {
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
    const children = execFileSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
    frozen = [postmaster, ...children]
    for (const pid of frozen) process.kill(pid, 'SIGSTOP')
  }
  const thaw = () => {
    for (const pid of frozen) process.kill(pid, 'SIGCONT')
    frozen = []
  }
  const remove = async () => {
    if (frozen.length > 0) thaw()
    await stop('fast').catch(() => {})
    await rm(folder, { recursive: true, force: true })
  }

  try {
    await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'])
    const settings = ["listen_addresses = '127.0.0.1'", `unix_socket_directories = '${folder}'`]
    if (options.pgCron) {
      settings.push(
        "shared_preload_libraries = 'pg_cron'",
        "cron.database_name = 'postgres'",
        "cron.host = '127.0.0.1'",
      )
    }
    await appendFile(join(data, 'postgresql.conf'), ['', ...settings, ''].join('\n'))
    // The port is only taken at start: one another cluster took since it was found free (two test
    // files starting at once) is retried with another.
    for (let attempt = 1; ; attempt++) {
      try {
        await start()
        break
      } catch (error) {
        if (attempt >= 3 || !(await readLog(folder)).includes('could not bind')) throw error
        port = await freePort()
      }
    }
    if (options.pgCron) {
      await run('psql', [
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
    }
  } catch (error) {
    await remove()
    throw error
  }
  return {
    port,
    folder,
    url(database = 'postgres', applicationName) {
      const url = new URL(`postgres://postgres@127.0.0.1:${port}/${database}`)
      if (applicationName) url.searchParams.set('application_name', applicationName)
      return url.toString()
    },
    stop,
    start,
    freeze,
    thaw,
    remove,
  }
}
