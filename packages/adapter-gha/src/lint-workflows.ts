import type { AnyJobDefinition } from '@nightshift/jobs-core'
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import { cronFindings, scheduleDocs } from './lint-cron.js'

/** One thing `lintWorkflows` found. `error`: GitHub refuses it or never does what it says. */
export interface LintFinding {
  file: string
  line: number | undefined
  level: 'error' | 'warning' | 'notice'
  rule:
    | 'yaml-syntax'
    | 'cron-macro'
    | 'cron-invalid'
    | 'schedule-under-5-minutes'
    | 'minute-zero'
    | 'secret-in-run'
    | 'no-concurrency'
    | 'inactive-repository'
  message: string
}

/** A workflow file's path (as it should be reported) and its text. */
export interface WorkflowFile {
  path: string
  text: string
}

function jobFor(file: WorkflowFile, definitions: readonly AnyJobDefinition[]): AnyJobDefinition | undefined {
  const base = file.path.replace(/^.*\//, '').replace(/\.ya?ml$/, '')
  return definitions.find((job) => job.name === base || file.text.includes(`/${job.name}`))
}

function lineOf(node: Node | null | undefined, lines: LineCounter): number | undefined {
  return node?.range ? lines.linePos(node.range[0]).line : undefined
}

/**
 * What GitHub would reject, ignore or do late in a directory's workflows: schedules under 5 minutes,
 * runs at minute 0 (with an offset to use and what a late run means for the job, when `definitions`
 * are given), cron macros and invalid expressions, a secret pasted into a `run:` script, no
 * `concurrency`, and (once) the 60-day switch-off of schedules in public repositories.
 *
 * @example
 * const findings = lintWorkflows([{ path: 'ci.yaml', text: readFileSync('.github/workflows/ci.yaml', 'utf8') }])
 * for (const f of findings) console.log(`${f.file}:${f.line} ${f.level} ${f.rule}: ${f.message}`)
 */
export function lintWorkflows(
  files: readonly WorkflowFile[],
  definitions: readonly AnyJobDefinition[] = [],
): LintFinding[] {
  const findings: LintFinding[] = []
  let scheduled: string | undefined
  for (const file of files) {
    const lines = new LineCounter()
    const document = parseDocument(file.text, { lineCounter: lines })
    const add = (line: number | undefined) => (finding: Omit<LintFinding, 'file' | 'line'>) =>
      findings.push({ file: file.path, line, ...finding })
    if (document.errors.length > 0) {
      const [error] = document.errors
      add(error?.linePos?.[0]?.line)({
        level: 'error',
        rule: 'yaml-syntax',
        message: error?.message.split('\n')[0] ?? 'invalid YAML',
      })
      continue
    }
    const job = jobFor(file, definitions)
    const schedule = document.getIn(['on', 'schedule'], true)
    const hasSchedule = isSeq(schedule) && schedule.items.length > 0
    if (isSeq(schedule)) {
      for (const entry of schedule.items) {
        const cron = isMap(entry) ? entry.get('cron', true) : undefined
        if (isScalar(cron) && typeof cron.value === 'string')
          cronFindings(cron.value, job, add(lineOf(cron, lines)))
      }
    }
    const jobs = document.get('jobs', true)
    let everyJobHasConcurrency = isMap(jobs) && jobs.items.length > 0
    if (isMap(jobs)) {
      for (const pair of jobs.items) {
        if (!isMap(pair.value)) continue
        if (!pair.value.has('concurrency')) everyJobHasConcurrency = false
        const steps = pair.value.get('steps', true)
        if (!isSeq(steps)) continue
        for (const step of steps.items) {
          const run = isMap(step) ? step.get('run', true) : undefined
          if (!isScalar(run) || typeof run.value !== 'string') continue
          const secrets = [
            ...new Set([...run.value.matchAll(/\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1])),
          ]
          if (secrets.length === 0) continue
          add(lineOf(run, lines))({
            level: 'warning',
            rule: 'secret-in-run',
            message: `${secrets.map((name) => `secrets.${name}`).join(', ')} pasted into a run: script: GitHub writes the values into the script text before the shell starts (a quote in one breaks the command or injects another, and the values sit in the script file). Pass them through env: ("$${secrets[0]}"), or use the nightshift step: its token: input is masked and never on a command line.`,
          })
        }
      }
    }
    if (hasSchedule && !document.has('concurrency') && !everyJobHasConcurrency) {
      add(lineOf(document.get('on', true) as Node, lines))({
        level: 'warning',
        rule: 'no-concurrency',
        message: `no concurrency group: a slow run, the next schedule and a manual or re-run can overlap and do the same work twice at once. Add concurrency: { group: ${file.path.replace(/^.*\//, '').replace(/\.ya?ml$/, '')}, cancel-in-progress: false }.`,
      })
    }
    if (hasSchedule) scheduled ??= file.path
  }
  if (scheduled !== undefined) {
    findings.push({
      file: scheduled,
      line: undefined,
      level: 'notice',
      rule: 'inactive-repository',
      message: `in a public repository GitHub disables scheduled workflows after 60 days without activity in the repository (${scheduleDocs}), silently: the jobs stop until someone re-enables them. Keep the repository active, watch the jobs' health route, or run schedules from Supabase Cron or the long-running worker.`,
    })
  }
  return findings
}
