import { type AnyJobDefinition, describeCron } from '@nightshift/jobs-core'

function missedSlots(job: AnyJobDefinition): string {
  const catchUp = job.schedule?.catchUp
  if (catchUp === 'none') return 'a missed slot is skipped'
  if (catchUp === 'latest' || catchUp === undefined) return 'after missed slots only the latest runs'
  return `up to ${catchUp.max} missed slots are caught up by a ticker (the server's, or a drain)`
}

/**
 * What a late or repeated run of a scheduled job does, for a generated workflow's header.
 *
 * @example
 * lateRunNote(t5) // 'A late or repeated run is safe: it runs the job's current slot once …'
 */
export function lateRunNote(job: AnyJobDefinition): string {
  return `A late or repeated run is safe: it runs the job's current slot once (a re-run finds it done); ${missedSlots(job)}.`
}

/**
 * What a late run means for the job a linted workflow calls: with a plain curl, the run acts on the
 * time it starts; as a nightshift job, on its slot, once, with the job's own catch-up policy.
 *
 * @example
 * lateRunWarning(undefined) // 'Called with a plain curl, a late run acts on the time it starts …'
 */
export function lateRunWarning(job: AnyJobDefinition | undefined): string {
  const curl =
    'Called with a plain curl, a late run acts on the time it starts (a daily job that starts after midnight works on the next day) and a re-run acts again'
  if (job?.schedule) {
    return `${curl}; with nightshift, "${job.name}" runs its slot (${describeCron(job.schedule.cron)}, ${job.schedule.timezone}) once however late the trigger comes, and a re-run finds it done; ${missedSlots(job)}.`
  }
  return `${curl}; nightshift jobs run their slot once however late.`
}
