import { createHash } from 'node:crypto'
import { type MigrationScript, migrationScripts, NightshiftError } from '@nightshift/jobs-core'

/** A file of a `supabase/migrations` folder: its name and text. */
export interface MigrationFile {
  name: string
  sql: string
}

/**
 * SQL of an app's own to export after nightshift's, as one migration named `name`.
 *
 * @example
 * const booking: IncludedSql = { name: 'booking', sql: readFileSync('booking.sql', 'utf8') }
 */
export interface IncludedSql {
  /** Becomes the file name's end: `booking` -> `20261130120000_booking.sql`. */
  name: string
  sql: string
}

/** What a folder needs: the files to add, and what it already has. */
export interface MigrationPlan {
  add: MigrationFile[]
  /** nightshift versions and included names the folder already holds. */
  present: string[]
  /** nightshift versions the folder holds with other text than this version writes (never rewritten). */
  differing: number[]
}

const versionName = /^(\d{14})_.+\.sql$/
const nightshiftMarker = /^-- nightshift migration (\d+): \S+ \(schema "([a-z_][a-z0-9_]*)"\)$/gm
const includedMarker = /^-- included SQL "([a-z0-9_]+)" sha256:([0-9a-f]{64})$/gm

/** `YYYYMMDDHHMMSS` in UTC, Supabase's migration version. */
function stamp(time: number): string {
  return new Date(time).toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

function fromStamp(version: string): number {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) =>
    Number(version.slice(at, at + (i ? 2 : 4))),
  )
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s)
}

function nightshiftFileName(schema: string, scripts: readonly MigrationScript[]): string {
  const base = schema === 'nightshift' ? 'nightshift' : `nightshift_${schema}`
  const first = scripts[0]?.version
  const last = scripts[scripts.length - 1]?.version
  if (first === 1) return base
  return first === last ? `${base}_${first}` : `${base}_${first}_to_${last}`
}

/**
 * Works out which files a `supabase/migrations` folder needs, from the files it has: nightshift's
 * migrations it does not hold yet (found by their `-- nightshift migration N` lines, for this schema)
 * in one new file, then each included SQL not held with the same text (its `sha256` line) in a file
 * of its own. New files are stamped at `now`, or a second after the folder's newest file if that is
 * later, so `supabase db push` applies them after everything already there. Pure: reads and writes
 * nothing.
 */
export function planMigrationFiles(
  existing: readonly MigrationFile[],
  options: { schema?: string; include?: readonly IncludedSql[]; now: Date },
): MigrationPlan {
  const schema = options.schema ?? 'nightshift'
  const scripts = migrationScripts({ schema })
  const held = new Map<number, string>()
  const included = new Set<string>()
  let newest = 0
  for (const file of existing) {
    const version = versionName.exec(file.name)?.[1]
    if (version) newest = Math.max(newest, fromStamp(version))
    for (const [, number, markedSchema] of file.sql.matchAll(nightshiftMarker)) {
      if (markedSchema === schema) held.set(Number(number), file.sql)
    }
    for (const [, name, hash] of file.sql.matchAll(includedMarker)) included.add(`${name}:${hash}`)
  }
  let next = Math.max(options.now.getTime() - (options.now.getTime() % 1000), newest + 1000)
  const add: MigrationFile[] = []
  const missing = scripts.filter((script) => !held.has(script.version))
  if (missing.length > 0) {
    const header = `-- nightshift's queue schema, migrations ${missing.map((s) => s.version).join(', ')}, written by nightshift-supabase.\n-- Each part runs only when its version is not in ${JSON.stringify(schema)}.migrations yet, so this is safe\n-- on a database where jobs.migrate() ran before. Do not edit: a later export adds new files instead.\n\n`
    add.push({
      name: `${stamp(next)}_${nightshiftFileName(schema, missing)}.sql`,
      sql: header + missing.map((s) => s.sql).join('\n'),
    })
    next += 1000
  }
  const seen = new Set<string>()
  for (const item of options.include ?? []) {
    if (!/^[a-z0-9_]+$/.test(item.name)) {
      throw new NightshiftError(
        'invalid_option',
        `included SQL name ${JSON.stringify(item.name)} must be lower-case letters, digits and underscores`,
      )
    }
    if (seen.has(item.name))
      throw new NightshiftError('invalid_option', `included SQL "${item.name}" is given twice`)
    seen.add(item.name)
    if (item.sql.trim() === '')
      throw new NightshiftError('invalid_option', `included SQL "${item.name}" is empty`)
    const hash = createHash('sha256').update(item.sql).digest('hex')
    if (included.has(`${item.name}:${hash}`)) continue
    add.push({
      name: `${stamp(next)}_${item.name}.sql`,
      sql: `-- included SQL "${item.name}" sha256:${hash}\n${item.sql}`,
    })
    next += 1000
  }
  const differing = scripts
    .filter((script) => held.has(script.version) && !held.get(script.version)?.includes(script.sql))
    .map((script) => script.version)
  const present = [
    ...[...held.keys()].map(String),
    ...[...included].map((key) => key.split(':')[0] as string),
  ]
  return { add, present, differing }
}
