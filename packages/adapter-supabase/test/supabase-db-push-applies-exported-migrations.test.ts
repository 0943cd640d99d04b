import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeSupabaseMigrations } from '@nightshift/adapter-supabase'
import {
  bookingMigrationSql,
  createBookingQueue,
  migrateBooking,
  readBookingConfig,
} from '@nightshift/example-booking'
import { createJobs, migrationScripts } from '@nightshift/jobs-core'
import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { runCli } from '../src/cli/run-cli.js'
import { supabaseCli, supabaseDbPush } from './supabase-db-push.js'

// The exported migrations through the real Supabase CLI (npm `supabase`, offline): `supabase init`, then
// `supabase db push --db-url` into fresh databases, then the queue works on what it made.
let project: string
const databases: TestDatabase[] = []

async function cli(...args: string[]) {
  const output = { out: '', err: '' }
  const code = await runCli(args, {
    out: (text) => (output.out += text),
    err: (text) => (output.err += text),
  })
  return { code, ...output }
}

const push = (db: TestDatabase, cwd = project) => supabaseDbPush(db.url, cwd)

async function database(label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label)
  databases.push(db)
  return db
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'nightshift-supabase-project-'))
  await supabaseCli(['init'], project)
  await writeFile(join(project, 'booking.sql'), bookingMigrationSql())
})

afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()))
  if (project) await rm(project, { recursive: true, force: true })
})

test('db push applies nightshift and booking, the booking queue runs on it, and a second export and push change nothing', async () => {
  const out = join(project, 'supabase', 'migrations')
  const exported = await cli('migrations', '--out', out, '--include', join(project, 'booking.sql'))
  expect(exported).toMatchObject({ code: 0, err: '' })
  const files = (await readdir(out)).sort()
  expect(files).toEqual([
    expect.stringMatching(/^\d{14}_nightshift\.sql$/),
    expect.stringMatching(/^\d{14}_booking\.sql$/),
  ])

  const db = await database('supabase_push')
  const pushed = await push(db)
  for (const file of files) expect(pushed).toContain(`Applying migration ${file}`)
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  const pool = new pg.Pool({ connectionString: db.url, max: 4 })
  const { jobs } = createBookingQueue({ db: pool, config: readBookingConfig({}) })
  try {
    const recorded = await client.query(
      'select version from supabase_migrations.schema_migrations order by version',
    )
    expect(recorded.rows.map((row) => `${row.version}`)).toEqual(files.map((file) => file.slice(0, 14)))
    // Both version tables were filled by the pushed files, so the app's own migrators have nothing left.
    expect(await jobs.migrate()).toEqual({ applied: [] })
    expect(await migrateBooking(pool)).toEqual({ applied: [] })

    // A booking job on the pushed schema: yesterday's class is billed by generate-t5-invoices.
    await client.query(`
      with cu as (insert into booking.customers (name, email) values ('Ada', 'ada@example.com') returning id),
           cl as (insert into booking.classes (title, starts_at, duration_minutes, instructor)
                  values ('Algebra', date_trunc('day', now()) - interval '12 hours', 60, 'Grace') returning id)
      insert into booking.bookings (customer_id, class_id, price_cents, status)
      select cu.id, cl.id, 2500, 'confirmed' from cu, cl`)
    const { id } = await jobs.enqueue('generate-t5-invoices', {})
    expect(await jobs.process({ limit: 5 })).toMatchObject({ completed: 1, failed: 0 })
    expect((await jobs.getJob(id))?.status).toBe('completed')
    expect((await client.query('select total_cents from booking.invoices')).rows).toEqual([
      { total_cents: 2500 },
    ])
  } finally {
    await jobs.close()
    await pool.end()
    await client.end()
  }

  // Run again: nothing new is written, and the Supabase CLI has nothing to push.
  expect(await cli('migrations', '--out', out, '--include', join(project, 'booking.sql'))).toMatchObject({
    code: 0,
    out: `${out} is up to date\n`,
  })
  expect((await readdir(out)).sort()).toEqual(files)
  expect(await push(db)).toContain('Remote database is up to date')
}, 120_000)

test('a database jobs.migrate() and migrateBooking set up first takes the same push', async () => {
  const db = await database('supabase_push_after_migrate')
  const jobs = createJobs({ db: db.url, jobs: [] })
  const pool = new pg.Pool({ connectionString: db.url, max: 2 })
  try {
    await jobs.migrate()
    await migrateBooking(pool)
  } finally {
    await jobs.close()
    await pool.end()
  }
  const pushed = await push(db)
  for (const file of await readdir(join(project, 'supabase', 'migrations'))) {
    expect(pushed).toContain(`Applying migration ${file}`)
  }
  expect(pushed).toContain('Finished supabase db push')
}, 60_000)

test('after a nightshift upgrade the export adds one file with only the new migration, and the push applies it', async () => {
  const upgrade = await mkdtemp(join(tmpdir(), 'nightshift-supabase-upgrade-'))
  try {
    await supabaseCli(['init'], upgrade)
    const out = join(upgrade, 'supabase', 'migrations')
    // What an export by the version before 0011 wrote: migrations 1-10.
    const scripts = migrationScripts()
    const latest = scripts[scripts.length - 1]?.version as number
    const before = scripts.filter((script) => script.version < latest)
    await writeSupabaseMigrations({ out, now: new Date('2026-01-01T00:00:00Z') })
    const [first] = await readdir(out)
    const old = before.map((script) => script.sql).join('\n')
    await writeFile(join(out, first as string), old)

    const db = await database('supabase_push_upgrade')
    {
      await push(db, upgrade)
      const exported = await cli('migrations', '--out', out)
      expect(exported.code).toBe(0)
      const files = (await readdir(out)).sort()
      expect(files).toEqual([
        first,
        expect.stringMatching(new RegExp(`^\\d{14}_nightshift_${latest}\\.sql$`)),
      ])
      const added = await readFile(join(out, files[1] as string), 'utf8')
      expect(added).toContain(`-- nightshift migration ${latest}:`)
      expect(added).not.toContain(`-- nightshift migration ${latest - 1}:`)
      expect(await push(db, upgrade)).toContain(`Applying migration ${files[1]}`)
      const client = new pg.Client({ connectionString: db.url })
      await client.connect()
      try {
        const { rows } = await client.query('select max(version)::int as version from nightshift.migrations')
        expect(rows).toEqual([{ version: latest }])
      } finally {
        await client.end()
      }
    }
  } finally {
    await rm(upgrade, { recursive: true, force: true })
  }
}, 60_000)
