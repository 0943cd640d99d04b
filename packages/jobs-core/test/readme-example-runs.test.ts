import { execFile } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

const run = promisify(execFile)
let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('readme')
})
afterAll(() => db?.drop())

test("the README's quick example runs as written", async () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
  const code = /## Quick example\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(code).toBeDefined()
  // Written beside the fixtures so '@nightshift/jobs-core' and 'zod' resolve as in the workspace.
  const file = fileURLToPath(new URL(`./fixtures/readme-example-${process.pid}.ts`, import.meta.url))
  writeFileSync(file, code as string)
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
      env: { ...process.env, DATABASE_URL: db.url },
      timeout: 60_000,
    })
    expect(JSON.parse(stdout.trim().split('\n').pop() as string)).toEqual({
      completed: 1,
      status: 'completed',
      result: { sent: true },
    })
  } finally {
    rmSync(file, { force: true })
  }
})

test("the README's logs-and-events example runs as written, through pino", async () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
  const code = /## Logs and events[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(code).toBeDefined()
  const file = fileURLToPath(new URL(`./fixtures/readme-logs-${process.pid}.ts`, import.meta.url))
  writeFileSync(file, code as string)
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
      env: { ...process.env, DATABASE_URL: db.url },
      timeout: 60_000,
    })
    // pino's lines and the example's own, in whatever order the two writers flushed them.
    const entries = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(entries).toContainEqual({ failures: ['flaky-sync attempt 1: upstream 503'] })
    expect(entries).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'nightshift: a job failed for good',
        job: 'flaky-sync',
        attempt: 1,
        error: 'upstream 503',
      }),
    )
  } finally {
    rmSync(file, { force: true })
  }
})
