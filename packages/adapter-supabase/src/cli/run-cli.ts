import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { parseArgs } from 'node:util'
import { NightshiftError } from '@nightshift/jobs-core'
import { importJobsModule, jobDefinitionsOf } from '@nightshift/jobs-core/jobs-module'
import { databaseCronSql } from '../cron/database-cron-sql.js'
import { httpCronSql } from '../cron/http-cron-sql.js'
import { writeSupabaseMigrations } from '../migrations/write-supabase-migrations.js'
import { writeFilesAtomically } from '../write-files-atomically.js'
import { readHttpOptions } from './read-http-options.js'

const usage = `Usage:
  nightshift-supabase migrations --out supabase/migrations [--schema nightshift] [--include app.sql]...
  nightshift-supabase cron --jobs <module>[#export] --out supabase/cron [--schema nightshift]
                           [--mode database|http|both] [--http-options http-cron.json] [--exclude <job>]...

--jobs takes <path>[#export]; a TypeScript module is loaded with the project's tsx (npm i -D tsx).`

/** Where the CLI writes: stdout and stderr as functions, so tests read them. */
export interface CliOutput {
  out(text: string): void
  err(text: string): void
}

async function migrationsCommand(values: Record<string, unknown>, output: CliOutput): Promise<number> {
  const include = []
  for (const file of (values.include as string[] | undefined) ?? []) {
    if (!file.endsWith('.sql'))
      throw new NightshiftError('invalid_option', `--include ${file}: expected a .sql file`)
    const name = basename(file, '.sql')
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
    include.push({ name, sql: await readFile(file, 'utf8') })
  }
  const report = await writeSupabaseMigrations({
    out: values.out as string,
    schema: values.schema as string | undefined,
    include,
  })
  for (const path of report.written) output.out(`wrote ${path}\n`)
  if (report.written.length === 0) output.out(`${values.out} is up to date\n`)
  for (const version of report.differing) {
    output.err(
      `warning: nightshift migration ${version} in ${values.out} differs from this version's text; it is left as it is (an applied migration is never changed)\n`,
    )
  }
  return 0
}

async function cronCommand(values: Record<string, unknown>, output: CliOutput): Promise<number> {
  if (typeof values.jobs !== 'string')
    throw new NightshiftError('invalid_option', 'cron needs --jobs <module>[#export]')
  const mode = (values.mode as string | undefined) ?? 'database'
  if (!['database', 'http', 'both'].includes(mode))
    throw new NightshiftError('invalid_option', `--mode ${mode}: expected database, http or both`)
  const definitions = await jobDefinitionsOf(await importJobsModule(values.jobs))
  const schema = values.schema as string | undefined
  const exclude = (values.exclude as string[] | undefined) ?? []
  const files: { name: string; text: string }[] = []
  if (mode !== 'http') {
    const { schedule, unschedule } = databaseCronSql(definitions, { schema, exclude })
    files.push(
      { name: 'schedule-database.sql', text: schedule },
      { name: 'unschedule-database.sql', text: unschedule },
    )
  }
  if (mode !== 'database') {
    const options = values['http-options'] ? await readHttpOptions(values['http-options'] as string) : {}
    const { schedule, unschedule } = httpCronSql(definitions, {
      ...options,
      exclude: [...(options.exclude ?? []), ...exclude],
    })
    files.push(
      { name: 'schedule-http.sql', text: schedule },
      { name: 'unschedule-http.sql', text: unschedule },
    )
  }
  for (const path of await writeFilesAtomically(values.out as string, files)) output.out(`wrote ${path}\n`)
  return 0
}

/**
 * The `nightshift-supabase` command: `migrations` writes nightshift's SQL (and `--include`d app SQL) as
 * Supabase migration files; `cron` writes the Supabase Cron SQL for a module's scheduled jobs. Returns
 * the exit code; errors are printed, never thrown.
 *
 * @example
 * process.exitCode = await runCli(['migrations', '--out', 'supabase/migrations'], {
 *   out: (text) => process.stdout.write(text),
 *   err: (text) => process.stderr.write(text),
 * })
 */
export async function runCli(argv: readonly string[], output: CliOutput): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        schema: { type: 'string' },
        include: { type: 'string', multiple: true },
        jobs: { type: 'string' },
        exclude: { type: 'string', multiple: true },
        mode: { type: 'string' },
        'http-options': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
    const [command] = positionals
    if (values.help || command === undefined) {
      output.out(`${usage}\n`)
      return values.help ? 0 : 2
    }
    if (positionals.length > 1)
      throw new NightshiftError('invalid_option', `unexpected argument ${positionals[1]}`)
    if (typeof values.out !== 'string' || values.out === '') {
      throw new NightshiftError('invalid_option', `${command} needs --out <folder>`)
    }
    if (command === 'migrations') return await migrationsCommand(values, output)
    if (command === 'cron') return await cronCommand(values, output)
    throw new NightshiftError(
      'invalid_option',
      `unknown command ${JSON.stringify(command)}; expected migrations or cron`,
    )
  } catch (error) {
    output.err(`nightshift-supabase: ${error instanceof Error ? error.message : String(error)}\n`)
    if (!(error instanceof NightshiftError) && !(error instanceof TypeError)) output.err(`${usage}\n`)
    return 1
  }
}
