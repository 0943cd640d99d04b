import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

const run = promisify(execFile)
const folder = fileURLToPath(new URL('./fixtures/deno/', import.meta.url))
const deno = fileURLToPath(new URL('../../../node_modules/.bin/deno', import.meta.url))
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url))

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('deno')
})
afterAll(() => db?.drop())

test('the built package migrates, enqueues and processes a job in Deno, offline', async () => {
  expect(existsSync(built), 'build jobs-core first: npm run build -w @nightshift/jobs-core').toBe(true)
  const { stdout } = await run(
    deno,
    [
      'run',
      '--config',
      `${folder}deno.json`,
      '--no-lock',
      '--allow-net=127.0.0.1',
      '--allow-env',
      '--allow-read',
      '--allow-sys',
      `${folder}process-one-job.ts`,
      db.url,
    ],
    { cwd: folder, timeout: 60_000 },
  )
  const output = JSON.parse(stdout.trim().split('\n').pop() as string)
  expect(output).toMatchObject({
    created: true,
    report: { claimed: 1, completed: 1 },
    status: 'completed',
    result: { greeting: 'hello deno', attempt: 1, runtime: 'deno' },
  })
  expect(output.applied.length).toBeGreaterThan(0)
})
