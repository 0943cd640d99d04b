import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const deno = fileURLToPath(new URL('../node_modules/.bin/deno', import.meta.url))
const launcher = fileURLToPath(new URL('./deno/serve-function.ts', import.meta.url))

/** A Supabase Edge Function served by a real Deno process on a free port. */
export interface DenoFunction {
  /** `http://127.0.0.1:<port>`: the function sees paths as Supabase gives them, `/<function-name>/...`. */
  url: string
  process: ChildProcess
  /** What the process printed so far (stdout and stderr). */
  output(): string
  /** Resolves when the process has exited; its exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>
}

/**
 * Builds jobs-core and adapter-supabase when their `dist/` is missing: Deno imports the published
 * shape of the packages (their `exports` point at `dist/`), not the TypeScript sources.
 */
export function ensurePackagesBuilt(): void {
  for (const name of ['jobs-core', 'adapter-supabase']) {
    if (!existsSync(new URL(`../packages/${name}/dist/index.js`, import.meta.url))) {
      execFileSync('npm', ['run', 'build', '-w', `@nightshift/${name}`], { cwd: root, stdio: 'ignore' })
    }
  }
}

/**
 * Starts `deno run` on a function's `index.ts` (offline: imports resolve from the workspace's
 * node_modules through `config`, a deno.json with `"nodeModulesDir": "manual"`) with `env` as its
 * environment, and resolves once it listens.
 *
 * @example
 * const fn = await startDenoFunction('examples/supabase/supabase/functions/notification-worker/index.ts', env, {
 *   config: 'examples/supabase/supabase/functions/deno.json',
 * })
 */
export async function startDenoFunction(
  entry: string,
  env: Record<string, string>,
  options: { config?: string } = {},
): Promise<DenoFunction> {
  ensurePackagesBuilt()
  const child = spawn(
    deno,
    [
      'run',
      '--allow-net',
      '--allow-env',
      '--allow-read',
      '--allow-sys',
      // The functions' deno.json (nodeModulesDir, import map): Deno would look for one beside the launcher.
      ...(options.config ? ['--config', resolvePath(root, options.config)] : []),
      launcher,
      resolvePath(root, entry),
    ],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        DENO_NO_UPDATE_CHECK: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  )
  const port = await new Promise<number>((resolve, reject) => {
    const onData = () => {
      const found = /listening (\d+)/.exec(output)
      if (found) {
        child.stdout.off('data', onData)
        resolve(Number(found[1]))
      }
    }
    child.stdout.on('data', onData)
    void exited.then((code) => reject(new Error(`deno exited (${code}) before listening:\n${output}`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    output: () => output,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}
