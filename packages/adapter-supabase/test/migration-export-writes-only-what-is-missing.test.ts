import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeSupabaseMigrations } from '@nightshift/adapter-supabase'
import { migrationScripts } from '@nightshift/jobs-core'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { planMigrationFiles } from '../src/migrations/plan-migration-files.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nightshift-migrations-'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const now = new Date('2026-11-30T12:00:00.400Z')

test('new files are stamped after the newest file of the folder, nightshift first, one per include', () => {
  const plan = planMigrationFiles([{ name: '20261201000000_app.sql', sql: 'select 1;' }], {
    now,
    include: [
      { name: 'booking', sql: 'create table b ();' },
      { name: 'more', sql: 'create table m ();' },
    ],
  })
  expect(plan.add.map((file) => file.name)).toEqual([
    '20261201000001_nightshift.sql',
    '20261201000002_booking.sql',
    '20261201000003_more.sql',
  ])
  const alone = planMigrationFiles([], { now, schema: 'jobs' })
  expect(alone.add.map((file) => file.name)).toEqual(['20261130120000_nightshift_jobs.sql'])
})

test('an include is written again only when its text changed; another schema is exported on its own', () => {
  const first = planMigrationFiles([], { now, include: [{ name: 'booking', sql: 'create table b ();' }] })
  expect(
    planMigrationFiles(first.add, { now, include: [{ name: 'booking', sql: 'create table b ();' }] }).add,
  ).toEqual([])
  const changed = planMigrationFiles(first.add, {
    now,
    include: [{ name: 'booking', sql: 'create table c ();' }],
  })
  expect(changed.add.map((file) => file.name)).toEqual([expect.stringMatching(/_booking\.sql$/)])
  const other = planMigrationFiles(first.add, { now, schema: 'jobs' })
  expect(other.add.map((file) => file.name)).toEqual([expect.stringMatching(/_nightshift_jobs\.sql$/)])
})

test('a held migration whose text differs is reported, never rewritten', () => {
  const [one] = migrationScripts()
  const edited = {
    name: '20260101000000_nightshift.sql',
    sql: (one?.sql ?? '').replace('create schema', 'create  schema'),
  }
  const plan = planMigrationFiles([edited], { now })
  expect(plan.differing).toEqual([1])
  expect(plan.add[0]?.sql).not.toContain('-- nightshift migration 1:')
})

test('bad includes are refused by name before anything is written', async () => {
  await expect(
    writeSupabaseMigrations({ out: dir, include: [{ name: 'Booking!', sql: 'x' }] }),
  ).rejects.toThrow(/included SQL name "Booking!"/)
  await expect(
    writeSupabaseMigrations({ out: dir, include: [{ name: 'booking', sql: '  ' }] }),
  ).rejects.toThrow(/"booking" is empty/)
  await expect(
    writeSupabaseMigrations({
      out: dir,
      include: [
        { name: 'a', sql: 'x' },
        { name: 'a', sql: 'y' },
      ],
    }),
  ).rejects.toThrow(/"a" is given twice/)
  expect(await readdir(dir)).toEqual([])
})

test('a failure while writing leaves no file of this call behind', async () => {
  const out = join(dir, 'migrations')
  const stamp = '20261130120002'
  // A folder where the second file (booking, after nightshift's) must go: its rename fails after the
  // first file is in place, and that one is removed again.
  await mkdir(join(out, `${stamp}_booking.sql`, 'inside'), { recursive: true })
  await writeFile(join(out, '20261130120000_app.sql'), 'select 1;')
  await expect(
    writeSupabaseMigrations({
      out,
      now: new Date('2026-11-30T11:00:00Z'),
      include: [{ name: 'booking', sql: 'select 2;' }],
    }),
  ).rejects.toThrow(/rename|EISDIR|ENOTDIR|ENOTEMPTY/)
  expect((await readdir(out)).sort()).toEqual(['20261130120000_app.sql', `${stamp}_booking.sql`])
})
