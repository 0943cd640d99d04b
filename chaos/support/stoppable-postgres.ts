import { execFile, execFileSync } from 'node:child_process'
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

/** A PostgreSQL cluster of the test's own, which it may stop and start again on the same port. */
export interface StoppablePostgres {
  port: number
  /** A connection string to `database` (default `postgres`). */
  url(database?: string): string
  /** Stops the server: `immediate` drops every connection at once, as a crash does; `fast` shuts down. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>
  /** Starts it again on the same port and data. */
  start(): Promise<void>
  /**
   * SIGSTOPs the server and every backend: connections stay open and nothing answers, as with a
   * database host that hangs or a network that drops packets. `thaw()` SIGCONTs them.
   */
  freeze(): void
  thaw(): void
  /** Stops it and removes its folder. */
  remove(): void
}

const bin = '/usr/lib/postgresql/15/bin'
const asRoot = process.getuid?.() === 0

/** Runs a PostgreSQL binary, as the postgres user when we are root (initdb and postgres refuse root). */
function run(binary: string, args: string[]): string {
  const [command, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, binary), ...args]]
    : [join(bin, binary), args]
  return execFileSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** `run` without blocking the event loop: the hosts in this process keep answering while it waits. */
function runAsync(binary: string, args: string[]): Promise<void> {
  const [command, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, binary), ...args]]
    : [join(bin, binary), args]
  return new Promise((resolve, reject) =>
    execFile(command, argv, (error, _stdout, stderr) =>
      error ? reject(new Error(`${binary} failed: ${error.message}\n${stderr}`)) : resolve(),
    ),
  )
}

// Its own prefix: other tests keep clusters under the temporary folder too, and this one removes only its own.
const dirPrefix = 'nightshift-chaos-hosts-pg-'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Stops and removes clusters of an earlier run whose test process died before `remove()`. */
function removeStaleClusters(): void {
  for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith(dirPrefix))) {
    const dir = join(tmpdir(), name)
    // Only a folder this helper made (an owner.pid beside data/) whose owner has died; never anything else.
    if (!existsSync(join(dir, 'owner.pid')) || !existsSync(join(dir, 'data'))) continue
    const owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'))
    if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) continue
    try {
      if (existsSync(join(dir, 'data', 'postmaster.pid')))
        run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop'])
    } catch {}
    rmSync(dir, { recursive: true, force: true })
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * Initialises and starts a throwaway cluster (PostgreSQL 15's server binaries, trust on loopback, no
 * socket outside its folder) that a chaos test stops and starts under running hosts. Never the
 * machine's PostgreSQL: other tests use that one.
 *
 * @example
 * const cluster = await startStoppablePostgres()
 * await cluster.stop('immediate') // the hosts now answer 503
 * await cluster.start()
 * cluster.remove()
 */
export async function startStoppablePostgres(): Promise<StoppablePostgres> {
  if (!existsSync(join(bin, 'initdb'))) throw new Error(`PostgreSQL 15 server binaries are not in ${bin}`)
  removeStaleClusters()
  const dir = mkdtempSync(join(tmpdir(), dirPrefix))
  writeFileSync(join(dir, 'owner.pid'), String(process.pid))
  const data = join(dir, 'data')
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir])
  const port = await freePort()
  const running = () => existsSync(join(data, 'postmaster.pid'))
  const start = async () => {
    try {
      await runAsync('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', `-p ${port}`, '-w', 'start'])
    } catch (error) {
      const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : ''
      throw new Error(`the chaos cluster did not start on port ${port}: ${(error as Error).message}\n${log}`)
    }
  }
  const stop = async (mode: 'immediate' | 'fast' = 'immediate') => {
    if (running()) await runAsync('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop'])
  }
  // The postmaster's pid (first line of postmaster.pid), then its children, read when frozen.
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
  const remove = () => {
    if (frozen.length > 0) thaw()
    try {
      if (running()) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
    } catch {}
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'])
    appendFileSync(
      join(data, 'postgresql.conf'),
      ['', "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, ''].join('\n'),
    )
    await start()
  } catch (error) {
    remove()
    throw error
  }
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop,
    freeze,
    thaw,
    start,
    remove,
  }
}
