import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bookingMigrationSql } from '@nightshift/example-booking'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { runCli } from '../src/cli/run-cli.js'

// The booking example's committed Supabase SQL is what the CLI writes today. To refresh it, run from the
// repository root what docs/supabase-migrations.md and docs/supabase-cron.md show for the example.
const root = fileURLToPath(new URL('../../../', import.meta.url))
const committed = join(root, 'examples/supabase/supabase')
let scratch: string

async function cli(...args: string[]) {
  const output = { out: '', err: '' }
  const code = await runCli(args, {
    out: (text) => (output.out += text),
    err: (text) => (output.err += text),
  })
  return { code, ...output }
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'nightshift-example-sql-'))
})
afterAll(() => rm(scratch, { recursive: true, force: true }))

test('exporting the migrations again into the committed folder writes nothing', async () => {
  const out = join(scratch, 'migrations')
  await cp(join(committed, 'migrations'), out, { recursive: true })
  await writeFile(join(scratch, 'booking.sql'), bookingMigrationSql())
  const result = await cli('migrations', '--out', out, '--include', join(scratch, 'booking.sql'))
  expect(result).toEqual({ code: 0, out: `${out} is up to date\n`, err: '' })
  expect((await readdir(out)).sort()).toEqual((await readdir(join(committed, 'migrations'))).sort())
})

test('the committed cron SQL is what the CLI writes for the booking jobs', async () => {
  const out = join(scratch, 'cron')
  const result = await cli(
    'cron',
    '--jobs',
    join(root, 'examples/booking/src/booking-job-definitions.ts#bookingJobDefinitions'),
    '--out',
    out,
    '--mode',
    'both',
    '--http-options',
    join(committed, 'cron/http-cron.json'),
  )
  expect(result).toMatchObject({ code: 0, err: '' })
  const written = (await readdir(out)).sort()
  expect(written).toEqual([
    'schedule-database.sql',
    'schedule-http.sql',
    'unschedule-database.sql',
    'unschedule-http.sql',
  ])
  for (const name of written) {
    expect(await readFile(join(out, name), 'utf8'), name).toBe(
      await readFile(join(committed, 'cron', name), 'utf8'),
    )
  }
})
