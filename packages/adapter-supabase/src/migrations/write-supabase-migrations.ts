import { NightshiftError } from '@nightshift/jobs-core'
import { writeFilesAtomically } from '../write-files-atomically.js'
import { type IncludedSql, type MigrationFile, planMigrationFiles } from './plan-migration-files.js'

/**
 * Options of `writeSupabaseMigrations`.
 *
 * @example
 * const options: SupabaseMigrationsOptions = { out: 'supabase/migrations', include: [{ name: 'booking', sql }] }
 */
export interface SupabaseMigrationsOptions {
  /** The migrations folder, usually `supabase/migrations`; made when missing. */
  out: string
  /** nightshift's schema. Default `nightshift`. */
  schema?: string
  /** An app's own SQL, each exported after nightshift's as a migration named after it. */
  include?: readonly IncludedSql[]
  /** The time new files are stamped with. Default now. */
  now?: Date
}

/**
 * What `writeSupabaseMigrations` did.
 *
 * @example
 * const { written } = await writeSupabaseMigrations({ out: 'supabase/migrations' })
 * console.log(written.length ? `new: ${written.join(', ')}` : 'up to date')
 */
export interface SupabaseMigrationsReport {
  /** Paths of the files this call wrote, in the order `supabase db push` applies them. */
  written: string[]
  /** nightshift versions already in the folder with other text than this version writes; left as they are. */
  differing: number[]
}

/**
 * Writes nightshift's SQL (and an app's) into a `supabase/migrations` folder as timestamped migration
 * files, only what the folder does not hold yet: run it again and nothing is written; run it after
 * upgrading nightshift and one new file holds the new migrations. Every file is written to a temporary
 * name first and renamed into place, and a failure removes what this call wrote, so the folder never
 * holds a half-written migration. Node only (it uses `node:fs`).
 *
 * @example
 * await writeSupabaseMigrations({
 *   out: 'supabase/migrations',
 *   include: [{ name: 'booking', sql: readFileSync('booking.sql', 'utf8') }],
 * })
 * // then: npx supabase db push
 */
export async function writeSupabaseMigrations(
  options: SupabaseMigrationsOptions,
): Promise<SupabaseMigrationsReport> {
  if (typeof options.out !== 'string' || options.out === '') {
    throw new NightshiftError('invalid_option', 'out must name the migrations folder (supabase/migrations)')
  }
  const { readdir, readFile } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const entries = await readdir(options.out, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return []
      throw error
    },
  )
  const existing: MigrationFile[] = []
  for (const entry of entries.filter((item) => item.isFile() && item.name.endsWith('.sql'))) {
    existing.push({ name: entry.name, sql: await readFile(join(options.out, entry.name), 'utf8') })
  }
  const plan = planMigrationFiles(existing, {
    schema: options.schema,
    include: options.include,
    now: options.now ?? new Date(),
  })
  const written = await writeFilesAtomically(
    options.out,
    plan.add.map((file) => ({ name: file.name, text: file.sql })),
  )
  return { written, differing: plan.differing }
}
