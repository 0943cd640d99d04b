import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import pg from 'pg'
import { environmentWithoutNpm } from './install-scratch-app.js'

const run = promisify(execFile)

/**
 * Runs `command` in a scratch app and parses the JSON line it prints last (what each app reports).
 * A failure carries the app's stderr.
 *
 * @example
 * const report = await runScratchApp(dir, process.execPath, ['run-job.mjs'], { DATABASE_URL: url })
 */
export async function runScratchApp(
  dir: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<Record<string, unknown>> {
  const { stdout } = await run(command, args, { cwd: dir, env: environmentWithoutNpm(env) }).catch(
    (error: { message: string; stderr?: string }) => {
      throw new Error(
        `${[command, ...args].join(' ')} failed in ${dir}: ${error.message}\n${error.stderr ?? ''}`,
      )
    },
  )
  const last = stdout.trim().split('\n').at(-1) ?? ''
  return JSON.parse(last) as Record<string, unknown>
}

/** The job row as the database holds it, read with a connection of the test's own. */
export async function jobRow(
  databaseUrl: string,
  id: string,
): Promise<{ status: string; result: unknown; attempts: number } | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query(
      'select status, result, attempts from nightshift.jobs where id = $1',
      [id],
    )
    return rows[0]
  } finally {
    await client.end()
  }
}

/** Every version of `name` in an installed app's tree (`npm ls --all`), to prove which one was used. */
export async function installedVersions(dir: string, name: string): Promise<string[]> {
  const { stdout } = await run('npm', ['ls', '--all', '--json', name], {
    cwd: dir,
    env: environmentWithoutNpm(),
  })
  interface Node {
    version?: string
    dependencies?: Record<string, Node>
  }
  const found = new Set<string>()
  const walk = (dependencies: Record<string, Node> = {}) => {
    for (const [dependency, node] of Object.entries(dependencies)) {
      if (dependency === name && node.version) found.add(node.version)
      walk(node.dependencies)
    }
  }
  walk((JSON.parse(stdout) as Node).dependencies)
  return [...found].sort()
}
