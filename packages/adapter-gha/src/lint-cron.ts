import { type AnyJobDefinition, shortestCronIntervalMinutes } from '@nightshift/jobs-core'
import { lateRunWarning } from './late-run.js'
import { githubShortestScheduleMinutes } from './workflow-document.js'
import { minuteOffsetFor } from './workflow-names.js'

/** A finding about one cron expression, before the linter adds its file and line. */
export interface CronFinding {
  level: 'error' | 'warning'
  rule: 'cron-macro' | 'cron-invalid' | 'schedule-under-5-minutes' | 'minute-zero'
  message: string
}

export const scheduleDocs = 'https://docs.github.com/actions/reference/events-that-trigger-workflows#schedule'
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

/**
 * What a schedule's cron means on GitHub: a macro or an expression it cannot read (errors), a run
 * under its 5-minute floor (an error: it never runs that often), or a minute-0 run (a warning, with an
 * offset to use and what a late run means for `job` when it is known).
 */
export function cronFindings(
  cron: string,
  job: AnyJobDefinition | undefined,
  at: (finding: CronFinding) => void,
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
      message: `"${text}" runs at minute 0, GitHub's busiest minute: runs start late (often tens of minutes) or are dropped. Use an offset such as "${suggestion}". ${lateRunWarning(job)}`,
    })
  }
}
