import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const config = 'chaos/support/fixtures/secret-scan-run.config.ts'

/** Runs the suite's runner on one check file with the secret scan set up, as `npm test` runs it. */
function runVitest(filter: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env }
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

test('a test file that logs a registered secret fails, naming the secret, not its value', async () => {
  const { code, output } = await runVitest('prints-a-secret')
  expect(output).toContain('this test file printed secrets: FIXTURE_KEY')
  expect(code).toBe(1)
})

test("a test file that writes a Supabase test function's secret to stderr fails", async () => {
  const { code, output } = await runVitest('writes-a-function-secret-to-stderr')
  expect(output).toContain('this test file printed secrets: SUPABASE_SERVICE_ROLE_KEY')
  expect(code).toBe(1)
})

test('a test file that logs around the secret passes', async () => {
  const { code, output } = await runVitest('prints-no-secret')
  expect(output).toMatch(/1 passed/)
  expect(code).toBe(0)
})
