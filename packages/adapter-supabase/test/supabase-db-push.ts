import { execFile } from 'node:child_process'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const supabase = fileURLToPath(new URL('../../../node_modules/.bin/supabase', import.meta.url))
const exampleProject = fileURLToPath(new URL('../../../examples/supabase/supabase', import.meta.url))
const run = promisify(execFile)

/** Runs the real Supabase CLI (npm `supabase`, offline) in `cwd`; its stdout and stderr together. */
export async function supabaseCli(args: string[], cwd: string): Promise<string> {
  const { stdout, stderr } = await run(supabase, args, { cwd })
  return stdout + stderr
}

/**
 * `supabase db push --db-url <databaseUrl> --yes` of the project in `cwd` (its `supabase/migrations`):
 * what the CLI printed.
 */
export function supabaseDbPush(databaseUrl: string, cwd: string): Promise<string> {
  const url = new URL(databaseUrl)
  url.searchParams.set('sslmode', 'disable') // the CLI tries TLS first otherwise, which the test PostgreSQL lacks
  return supabaseCli(['db', 'push', '--db-url', url.toString(), '--yes'], cwd)
}

/**
 * Pushes the booking example's committed migrations (examples/supabase/supabase/migrations) with the
 * Supabase CLI, from a copy of the example's `supabase/` folder (its config.toml and migrations) so that
 * the CLI's state folder (`supabase/.temp`) is not written into the repository. Returns what the CLI
 * printed.
 *
 * @example
 * expect(await pushExampleMigrations(db.url)).toContain('Finished supabase db push')
 */
export async function pushExampleMigrations(databaseUrl: string): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'nightshift-supabase-example-'))
  try {
    await cp(join(exampleProject, 'config.toml'), join(project, 'supabase', 'config.toml'))
    await cp(join(exampleProject, 'migrations'), join(project, 'supabase', 'migrations'), { recursive: true })
    return await supabaseDbPush(databaseUrl, project)
  } finally {
    await rm(project, { recursive: true, force: true })
  }
}
