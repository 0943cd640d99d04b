import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { importJobsModule, jobDefinitionsOf, openJobs } from '@nightshift/jobs-core/jobs-module'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

// One loader reads `--jobs <path>[#export]` for nightshift, nightshift-gha and nightshift-supabase.
const root = fileURLToPath(new URL('../../../', import.meta.url))
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/jobs-modules/${name}`, import.meta.url))
const typeScriptModule = fixture('opens-its-own-queue.ts')
const coreCli = join(root, 'packages/jobs-core/dist/cli.js')
const supabaseCli = join(root, 'packages/adapter-supabase/dist/cli.js')

let db: TestDatabase
let scratch: string
beforeAll(async () => {
  for (const built of [coreCli, supabaseCli])
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\``)
  db = await createTestDatabase('jobs_module')
  scratch = await mkdtemp(join(tmpdir(), 'nightshift-jobs-module-'))
})
afterAll(async () => {
  await db?.drop()
  if (scratch) await rm(scratch, { recursive: true, force: true })
})

const names = async (spec: string) =>
  (await jobDefinitionsOf(await importJobsModule(spec))).map((job) => job.name)

function node(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  // No NODE_OPTIONS: no loader is registered unless the command registers one itself.
  const { NODE_OPTIONS: _, ...env } = process.env
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: options.cwd ?? root, env: { ...env, ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

test('every shape a jobs module may export gives its job definitions', async () => {
  expect(await names(fixture('../cli-jobs.mjs'))).toEqual(['nightly-report', 'charge-card', 'noop'])
  expect(await names(fixture('each-definition-exported.mjs'))).toEqual(['nightly-report', 'weekly-digest'])
  expect(await names(fixture('queue-as-default.mjs'))).toEqual(['nightly-report'])
  expect(await names(typeScriptModule)).toEqual(['count-bookings'])
  expect(await names(`${typeScriptModule}#definitionsOnly`)).toEqual(['count-bookings'])
})

test('openJobs runs the queue a module opens itself, and close() ends what it opened', async () => {
  const { jobs, close } = await openJobs(await importJobsModule(typeScriptModule), db.url)
  try {
    await jobs.migrate()
    // A module's queue is known only at run time: its names are strings.
    const name: string = 'count-bookings'
    const answer = await jobs.trigger(name, {})
    expect(answer).toMatchObject({ status: 'completed', result: { bookings: 42 } })
  } finally {
    await close()
  }
})

test('what is not a jobs module is refused with what is wrong', async () => {
  await expect(importJobsModule(`${fixture('each-definition-exported.mjs')}#nightly`)).rejects.toThrow(
    'has no export "nightly"; it exports "nightlyReport", "version", "weeklyDigest"',
  )
  await expect(importJobsModule(fixture('exports-no-jobs.mjs'))).rejects.toThrow(
    /exports-no-jobs\.mjs exports no job definitions: export `jobs`/,
  )
  await expect(jobDefinitionsOf(await importJobsModule(fixture('empty-jobs.mjs')))).rejects.toThrow(
    /must export job definitions .*; found an array of 0/,
  )
  await expect(
    jobDefinitionsOf(await importJobsModule(`${fixture('each-definition-exported.mjs')}#version`)),
  ).rejects.toThrow(/; found number$/)
  await expect(importJobsModule(fixture('no-such-module.mjs'))).rejects.toThrow(
    /could not load the jobs module .*no-such-module\.mjs/,
  )
  await expect(importJobsModule('jobs.mjs#')).rejects.toThrow('should be <path>[#export]')
})

test('nightshift, nightshift-gha and nightshift-supabase each read a TypeScript module with the project’s tsx', async () => {
  const env = { DATABASE_URL: db.url }
  expect(await node([coreCli, 'migrate'], { env })).toMatchObject({ code: 0 })
  const schedules = await node([coreCli, 'schedules', '--jobs', typeScriptModule], { env })
  expect(schedules).toMatchObject({ code: 0, stdout: expect.stringContaining('count-bookings') })
  // A module that opens its own queue has its own schema: --schema would be ignored, so it is refused.
  const withSchema = await node([coreCli, 'schedules', '--jobs', typeScriptModule, '--schema', 'other'], {
    env,
  })
  expect(withSchema).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--schema applies to job definitions'),
  })

  const cron = join(scratch, 'cron')
  const supabase = await node([
    supabaseCli,
    'cron',
    '--jobs',
    `${typeScriptModule}#definitionsOnly`,
    '--out',
    cron,
  ])
  expect(supabase).toMatchObject({ code: 0 })
  expect(await readFile(join(cron, 'schedule-database.sql'), 'utf8')).toContain('count-bookings')

  // nightshift-gha from its source, as its own tests run it: tsx runs the command, the loader the module.
  const workflows = join(scratch, 'workflows')
  const gha = await node([
    '--import',
    'tsx',
    'packages/adapter-gha/src/cli.ts',
    'workflows',
    '--jobs',
    typeScriptModule,
    '--out',
    workflows,
  ])
  expect(gha).toMatchObject({ code: 0 })
  expect(await readdir(workflows)).toContain('count-bookings.yaml')
})

test('a TypeScript module where no tsx can be found says to install it', async () => {
  const answer = await node([coreCli, 'schedules', '--jobs', typeScriptModule], {
    cwd: scratch,
    env: { DATABASE_URL: db.url },
  })
  expect(answer.code).toBe(2)
  expect(answer.stderr).toContain('it is TypeScript; install tsx in this project (npm i -D tsx)')
})
