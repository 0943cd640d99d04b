import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))

/** The secrets the tests start the server with (the booking app's variable names). */
export const testSecrets = {
  SUPABASE_SERVICE_ROLE_KEY: 'e2e-service-role-key-0123456789',
  CRON_SECRET: 'e2e-cron-secret-0123456789',
  SCHEDULER_SECRET_TOKEN: 'e2e-scheduler-token-0123456789',
}

/** A running `npm start`: its URL, the database it uses, its output so far and its exit. */
export interface StartedServer {
  process: ChildProcess
  url: string
  databaseUrl: string
  output: () => string
  exited: Promise<number | null>
  /** A Ctrl-C in the terminal: SIGINT to npm's whole process group. */
  pressCtrlC(): void
  /** SIGTERM to npm, as `kill` or a container runtime sends it. */
  terminate(): void
}

/**
 * Runs `npm start` from the repository's root exactly as a user does (npm runs npm for the
 * workspace, which runs node), in a process group of its own like a terminal's foreground job, and
 * resolves once it prints its banner. `env` is added to the test's environment.
 *
 * @example
 * const server = await npmStart({ DATABASE_URL: '', NIGHTSHIFT_DATA_DIR: dir, PORT: '0' })
 */
export function npmStart(env: NodeJS.ProcessEnv): Promise<StartedServer> {
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, ...testSecrets, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  // 'close', not 'exit': the output is read to its end before the test looks at it.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk
      const url = /running at (http:\/\/\S+)\/functions\/v1/.exec(output)?.[1]
      const database = /^database: (.*)$/m.exec(output)?.[1]
      if (!url || !database || !output.includes('try:')) return
      const port = /embedded PostgreSQL in .* \(port (\d+)\)/.exec(database)?.[1]
      resolve({
        process: child,
        url,
        databaseUrl: port
          ? `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
          : (env.DATABASE_URL ?? ''),
        output: () => output,
        exited,
        pressCtrlC: () => process.kill(-(child.pid as number), 'SIGINT'),
        terminate: () => child.kill('SIGTERM'),
      })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before serving: ${output}`)))
  })
}

/** Ends a server a failed test left running (two signals abort at once), with its process group. */
export async function stopLeftover(server: StartedServer | undefined): Promise<void> {
  if (!server || server.process.exitCode !== null || server.process.signalCode !== null) return
  try {
    process.kill(-(server.process.pid as number), 'SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 1500))
    process.kill(-(server.process.pid as number), 'SIGTERM')
  } catch {}
  await server.exited
}
