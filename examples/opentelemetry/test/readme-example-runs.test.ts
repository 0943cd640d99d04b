import { execFile } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

const run = promisify(execFile)
let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('otel_readme')
})
afterAll(() => db?.drop())

test("the README's OpenTelemetry example runs as written: a span per run, parent of the handler's spans, and run metrics", async () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(code).toBeDefined()
  // Written inside the example so its imports resolve as in the workspace.
  const file = fileURLToPath(new URL(`../src/readme-example-${process.pid}.ts`, import.meta.url))
  writeFileSync(file, code as string)
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
      env: { ...process.env, DATABASE_URL: db.url },
      timeout: 60_000,
    })
    expect(JSON.parse(stdout.trim().split('\n').pop() as string)).toEqual({
      runSpans: 2,
      childrenOfRunSpans: 2,
      successes: [['success', 2]],
      due: [['send-email', 0]],
    })
  } finally {
    rmSync(file, { force: true })
  }
})
