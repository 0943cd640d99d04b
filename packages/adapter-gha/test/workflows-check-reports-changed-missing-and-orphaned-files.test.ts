import { execFile } from 'node:child_process'
import { appendFile, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'packages/adapter-gha/src/cli.ts', ...args],
      { cwd: root },
    )
    return { code: 0, stdout }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout + failed.stderr }
  }
}

it('workflows --check names each changed, missing and orphaned workflow and exits 1; a hand-written one is left alone', async () => {
  const out = await mkdtemp(join(tmpdir(), 'nightshift-check-'))
  const generate = ['workflows', '--jobs', 'examples/github/booking-jobs.ts', '--out', out]
  expect((await cli(...generate)).code).toBe(0)
  expect(await cli(...generate, '--check')).toEqual({ code: 0, stdout: 'workflows up to date\n' })

  await appendFile(join(out, 'generate-t5-invoices.yaml'), '# edited by hand\n')
  await rm(join(out, 'escalate-overdue-bookings.yaml'))
  await copyFile(join(out, 'schedule-create-zoom.yaml'), join(out, 'a-job-since-removed.yaml'))
  await writeFile(join(out, 'ci.yaml'), 'name: ci\non: push\njobs: {}\n')
  const { code, stdout } = await cli(...generate, '--check')
  expect(code).toBe(1)
  expect(stdout.trim().split('\n').sort()).toEqual(
    [
      `${out}/a-job-since-removed.yaml: generated before, but no job makes it now: delete it`,
      `${out}/escalate-overdue-bookings.yaml: missing`,
      `${out}/generate-t5-invoices.yaml: differs`,
      '3 workflow(s) out of date: run without --check',
    ].sort(),
  )
  expect((await cli(...generate, '--timeout-minutes', 'ten')).stdout).toContain(
    '--timeout-minutes must be a whole number from 1 to 360, got "ten"',
  )
})
