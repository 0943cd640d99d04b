import { type AnyJobDefinition, describeCron, shortestCronIntervalMinutes } from '@nightshift/jobs-core'
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import { githubShortestScheduleMinutes } from './workflow-document.js'
import { minuteOffsetFor } from './workflow-names.js'

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

const scheduleDocs = 'https://docs.github.com/actions/reference/events-that-trigger-workflows#schedule'
const macros: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}
// POSIX cron as GitHub reads it: numbers, names, * , - /. No L, W, #, ? (Quartz), no seconds field.
const posixField =
  /^(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/\d+)?(?:,(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/\d+)?)*$/
const quartz = /[LW#?]/

function jobFor(file: WorkflowFile, definitions: readonly AnyJobDefinition[]): AnyJobDefinition | undefined {
  const base = file.path.replace(/^.*\//, '').replace(/\.ya?ml$/, '')
  return definitions.find((job) => job.name === base || file.text.includes(`/${job.name}`))
}

function lateRun(job: AnyJobDefinition | undefined): string {
  if (job?.schedule) {
    return `With nightshift, "${job.name}" runs its slot (${describeCron(job.schedule.cron)}, ${job.schedule.timezone}) once however late the trigger comes, and a re-run finds it done.`
  }
  return 'Called with a plain curl, a late run acts on the time it starts (a daily job that starts after midnight works on the next day) and a re-run acts again; nightshift jobs run their slot once however late.'
}

function cronFindings(
  cron: string,
  job: AnyJobDefinition | undefined,
  at: (finding: Omit<LintFinding, 'file' | 'line'>) => void,
): void {
  const text = cron.trim()
  if (text.startsWith('@')) {
    const instead = macros[text.toLowerCase()]
    at({
      level: 'error',
      rule: 'cron-macro',
      message: `"${text}": GitHub takes five cron fields, not macros${instead ? `; write "${instead}"` : ''}`,
    })
    return
  }
  const fields = text.split(/\s+/)
  if (fields.length !== 5 || fields.some((field) => quartz.test(field) || !posixField.test(field))) {
    at({
      level: 'error',
      rule: 'cron-invalid',
      message: `"${text}" is not a five-field POSIX cron expression (minute hour day-of-month month day-of-week; no seconds, L, W, # or ?)`,
    })
    return
  }
  let interval: number
  try {
    interval = shortestCronIntervalMinutes(text)
  } catch (error) {
    at({ level: 'error', rule: 'cron-invalid', message: (error as Error).message })
    return
  }
  if (interval < githubShortestScheduleMinutes) {
    at({
      level: 'error',
      rule: 'schedule-under-5-minutes',
      message: `"${text}" asks for a run every ${interval} minute${interval > 1 ? 's' : ''}; GitHub runs schedules at most every ${githubShortestScheduleMinutes} minutes, often later (${scheduleDocs}). Run this from Supabase Cron or the long-running worker, or schedule it at "*/5" or slower.`,
    })
  } else if (fields[0] === '0' && interval >= 60) {
    const suggestion = [String(minuteOffsetFor(job?.name ?? text)), ...fields.slice(1)].join(' ')
    at({
      level: 'warning',
      rule: 'minute-zero',
      message: `"${text}" runs at minute 0, GitHub's busiest minute: runs start late (often tens of minutes) or are dropped. Use an offset such as "${suggestion}". ${lateRun(job)}`,
    })
  }
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
        message: error?.message ?? 'invalid YAML',
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
