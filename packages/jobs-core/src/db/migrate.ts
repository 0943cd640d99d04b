import { migrations } from './migrations.generated.js'
import { type SchemaName, schemaName } from './schema-name.js'
import type { SqlExecutor } from './sql-executor.js'

function render(sql: string, schema: SchemaName): string {
  return sql.replaceAll('{{schema}}', schema.sql).replaceAll('{{channel}}', `'${schema.channel}'`)
}

/**
 * Every migration as one SQL text, for projects that keep their own migration folder (Supabase's
 * `supabase/migrations`, a Rails app, Flyway). It records the versions it applies, so a later
 * `jobs.migrate()` knows they are there.
 *
 * @example
 * writeFileSync('supabase/migrations/20261128000000_nightshift.sql', migrationSql())
 */
export function migrationSql(options: { schema?: string } = {}): string {
  const name = schemaName(options.schema ?? 'nightshift')
  const parts = [`create schema if not exists ${name.sql};`, versionTableSql(name)]
  for (const migration of migrations) {
    parts.push(`-- nightshift migration ${migration.version}: ${migration.name}`)
    parts.push(render(migration.sql, name))
    parts.push(
      `insert into ${name.sql}.migrations (version, name) values (${migration.version}, '${migration.name}') on conflict do nothing;`,
    )
  }
  return `${parts.join('\n\n')}\n`
}

/**
 * One of nightshift's migrations as a script that runs on its own, for migration tools that keep one
 * file per change (Supabase's `supabase/migrations`): see `migrationScripts`.
 *
 * @example
 * const [first]: MigrationScript[] = migrationScripts()
 * // { version: 1, name: 'jobs', sql: '-- nightshift migration 1: jobs (schema "nightshift")\n…' }
 */
export interface MigrationScript {
  version: number
  name: string
  sql: string
}

/**
 * Every migration as a script of its own, in order. Each creates the schema and the version table if
 * they are missing, applies its migration only when its version is not recorded yet (so it is safe on a
 * database `jobs.migrate()` already set up), and records it (so a later `jobs.migrate()` skips it).
 * Export the versions a project does not have yet, and only those, when nightshift adds a migration.
 *
 * @example
 * for (const script of migrationScripts({ schema: 'nightshift' }).filter((s) => s.version > 10)) {
 *   writeFileSync(`migrations/nightshift_${script.version}.sql`, script.sql)
 * }
 */
export function migrationScripts(options: { schema?: string } = {}): MigrationScript[] {
  const name = schemaName(options.schema ?? 'nightshift')
  return migrations.map((migration) => {
    const body = render(migration.sql, name)
    const tag = `$nightshift_migration_${migration.version}$`
    const text = `$nightshift_migration_${migration.version}_sql$`
    // The migration runs as the dollar-quoted text of an EXECUTE inside a dollar-quoted DO block; a body
    // containing either tag would end it.
    if (body.includes(tag) || body.includes(text))
      throw new Error(`migration ${migration.version} contains ${tag}`)
    const sql = `-- nightshift migration ${migration.version}: ${migration.name} (schema ${name.sql})
create schema if not exists ${name.sql};

${versionTableSql(name)}

do ${tag}
begin
  if not exists (select 1 from ${name.sql}.migrations where version = ${migration.version}) then
    execute ${text}
${body}
${text};
    insert into ${name.sql}.migrations (version, name) values (${migration.version}, '${migration.name}');
  end if;
end
${tag};
`
    return { version: migration.version, name: migration.name, sql }
  })
}

function versionTableSql(schema: SchemaName): string {
  return `create table if not exists ${schema.sql}.migrations (
  version integer primary key,
  name text not null,
  applied_at timestamptz not null default now()
);`
}

/**
 * Applies the migrations not yet applied, in one transaction under an advisory lock, so many processes
 * starting at once apply each migration once and none sees a half-made schema.
 */
export async function runMigrations(executor: SqlExecutor, schema: SchemaName): Promise<number[]> {
  return executor.transaction(async (tx) => {
    // A transaction-level lock: it is released at commit, also through a transaction-mode pooler.
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`nightshift:migrate:${schema.name}`])
    await tx.query(`create schema if not exists ${schema.sql}`)
    await tx.query(versionTableSql(schema))
    const rows = await tx.query<{ version: number }>(`select version from ${schema.sql}.migrations`)
    const applied = new Set(rows.map((row) => row.version))
    const done: number[] = []
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue
      await tx.query(render(migration.sql, schema))
      await tx.query(`insert into ${schema.sql}.migrations (version, name) values ($1, $2)`, [
        migration.version,
        migration.name,
      ])
      done.push(migration.version)
    }
    return done
  })
}
