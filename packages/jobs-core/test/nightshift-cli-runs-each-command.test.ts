import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

// The command as npm installs it (`bin`): the built file, run by node in its own process.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const jobsModule = fileURLToPath(new URL('./fixtures/cli-jobs.mjs', import.meta.url))

let db: TestDatabase
beforeAll(async () => {
  if (!existsSync(cli))
    throw new Error('packages/jobs-core/dist/cli.js is missing: run `npm run build -w @nightshift/jobs-core`')
  db = await createTestDatabase('cli')
})
afterAll(() => db?.drop())

function nightshift(args: string[], env: Record<string, string | undefined> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { ...process.env, DATABASE_URL: db.url, ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}
const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop() as string)

test('migrate, stats, trigger, jobs list / show / retry / cancel / purge and schedules, with exit codes and --json', async () => {
  expect(await nightshift(['migrate'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied /) })
  expect(await nightshift(['migrate'])).toMatchObject({ code: 0, stdout: 'up to date\n' })
  const sql = await nightshift(['migrations', '--sql', '--schema', 'elsewhere'], { DATABASE_URL: undefined })
  expect(sql.code).toBe(0)
  expect(sql.stdout).toContain('create schema if not exists "elsewhere"')

  const ran = await nightshift(['trigger', 'nightly-report', '--jobs', jobsModule, '--json'])
  expect(ran.code).toBe(0)
  expect(json(ran.stdout)).toMatchObject({ ok: true, status: 'completed', result: { rows: 3 } })
  const declined = await nightshift(['trigger', 'charge-card', '--jobs', jobsModule])
  expect(declined.code).toBe(1)
  expect(declined.stdout).toContain('failed: card declined')

  const failed = json((await nightshift(['jobs', 'list', '--status', 'failed', '--json'])).stdout)
  expect(failed.jobs.map((job: { name: string }) => job.name)).toEqual(['charge-card'])
  const id = failed.jobs[0].id as string
  const shown = await nightshift(['jobs', 'show', id])
  expect(shown.code).toBe(0)
  expect(shown.stdout).toContain('charge-card')
  expect(shown.stdout).toContain('card declined')
  expect((await nightshift(['jobs', 'show', '999999'])).code).toBe(1)

  expect(json((await nightshift(['jobs', 'retry', '--name', 'charge-card', '--json'])).stdout)).toEqual({
    ok: true,
    changed: 1,
  })
  expect((await nightshift(['jobs', 'cancel', id])).stdout).toBe(`cancelled job ${id}\n`)
  expect((await nightshift(['jobs', 'cancel', id])).stdout).toBe(`job ${id} had already ended\n`)
  const stats = json((await nightshift(['stats', '--json', '--fail-if-stuck'])).stdout)
  expect(stats).toMatchObject({ ok: true, counts: { completed: 1, cancelled: 1 }, stuck: 0 })
  expect(json((await nightshift(['jobs', 'purge', '--older-than', '0s', '--json'])).stdout)).toEqual({
    ok: true,
    deleted: 2,
  })

  const schedules = await nightshift(['schedules', '--jobs', jobsModule])
  expect(schedules.code).toBe(0)
  expect(schedules.stdout).toMatch(/^nightly-report: At 02:00/)
})

test('usage errors exit 2 naming the problem; an unreachable database exits 3 without the password', async () => {
  expect(await nightshift(['stats'], { DATABASE_URL: '' })).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('DATABASE_URL is not set'),
  })
  expect(await nightshift(['frobnicate'])).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('unknown command "frobnicate"'),
  })
  expect(await nightshift(['trigger', 'noop'])).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('needs --jobs'),
  })
  expect(await nightshift(['jobs', 'purge'])).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--older-than'),
  })
  expect(await nightshift(['jobs', 'list', '--status', 'done'])).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('unknown job status "done"'),
  })
  expect(await nightshift(['jobs', 'cancel'])).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('needs a filter'),
  })
  const away = await nightshift(['stats'], {
    DATABASE_URL: 'postgres://postgres:hunter2-secret@127.0.0.1:1/nowhere',
  })
  expect(away.code).toBe(3)
  expect(away.stderr).toContain('cannot reach the database at 127.0.0.1:1')
  expect(away.stderr).not.toContain('hunter2-secret')
})

test("worker runs the module's jobs until SIGTERM, then lets running jobs finish and exits 0", async () => {
  const noop = defineJob({ name: 'noop', run: () => undefined })
  const jobs = createJobs({ db: db.url, jobs: [noop], logger: false, schema: 'cli_worker' })
  await jobs.migrate()
  const child = spawn(
    process.execPath,
    [cli, 'worker', '--jobs', jobsModule, '--schema', 'cli_worker', '--concurrency', '2'],
    {
      env: { ...process.env, DATABASE_URL: db.url },
    },
  )
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk)
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    const enqueued = await jobs.enqueueMany(
      Array.from({ length: 20 }, () => ({ name: 'noop' as const, input: {} })),
    )
    for (let i = 0; i < 400; i++) {
      const statuses = await Promise.all(enqueued.map(async (job) => (await jobs.getJob(job.id))?.status))
      if (statuses.every((status) => status === 'completed')) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    expect((await jobs.stats()).counts.completed).toBe(20)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(stderr).toContain('worker running nightly-report, charge-card, noop')
  } finally {
    child.kill('SIGKILL')
    await jobs.close()
  }
})
