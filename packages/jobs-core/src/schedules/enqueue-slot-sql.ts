import { schemaName } from '../db/schema-name.js'
import type { AnyJobDefinition } from '../define-job.js'
import { NightshiftError } from '../errors.js'

const fieldNames = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const
// What croner, the SQL function (migration 0011) and pg_cron all read the same way.
const portablePart = /^(?:\*|\d{1,2}-\d{1,2})(?:\/\d{1,2})?$|^\d{1,2}$/

/** A SQL string literal: single quotes doubled, so any text is safe inside it. */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

/**
 * Why `cron` would be read differently by nightshift (croner), its SQL function and pg_cron, or
 * undefined when all three read it the same. Names (`MON`, `JAN`), `L`, `W`, `#`, `?` and `n/s` without
 * a range are refused; so is a day-of-month or day-of-week step on `*` (`*\/2`) beside a restricted other
 * day field, which pg_cron combines with AND and croner with OR.
 */
function portableCronProblem(cron: string): string | undefined {
  const fields = cron.split(' ')
  for (const [index, field] of fields.entries()) {
    for (const part of field.split(',')) {
      if (!portablePart.test(part)) {
        return `its ${fieldNames[index]} field "${field}" uses "${part}"; in SQL only numbers, *, ranges a-b, steps */n or a-b/n and lists are read the same as in nightshift (write n-max/s for n/s, numbers for names)`
      }
    }
  }
  const [, , dayOfMonth, , dayOfWeek] = fields as [string, string, string, string, string]
  if (dayOfMonth !== '*' && dayOfWeek !== '*' && (dayOfMonth.startsWith('*') || dayOfWeek.startsWith('*'))) {
    return `its day fields "${dayOfMonth}" and "${dayOfWeek}" are combined with OR by nightshift and with AND by pg_cron when one starts with *; write that field as a range (1-31/2)`
  }
  return undefined
}

/**
 * The SQL statement that enqueues a scheduled job's current slot from the database, for a scheduler
 * that runs SQL (pg_cron, Supabase Cron): it calls `<schema>.enqueue_cron_slot` (migration 0011), which
 * opens the slot with the key the ticker and triggers use (`<job>@<slot ISO>`), so whichever of them
 * comes first makes the slot's one job. The job's queue, priority and max attempts are written in.
 * Throws `invalid_definition` for a job without a schedule, with a time zone other than UTC (the SQL
 * reads cron in UTC, as pg_cron does), or with a cron expression SQL would read differently.
 *
 * @example
 * enqueueSlotSql(defineJob({ name: 'nightly-report', schedule: '0 2 * * *', run }))
 * // select * from "nightshift".enqueue_cron_slot('nightly-report', '0 2 * * *', job_queue => 'default', job_priority => 0, job_max_attempts => 5)
 */
export function enqueueSlotSql(definition: AnyJobDefinition, options: { schema?: string } = {}): string {
  const schema = schemaName(options.schema ?? 'nightshift')
  const { name, schedule } = definition
  if (!schedule) {
    throw new NightshiftError(
      'invalid_definition',
      `job "${name}" has no schedule, so it has no slots to enqueue`,
    )
  }
  if (schedule.timezone !== 'UTC') {
    throw new NightshiftError(
      'invalid_definition',
      `job "${name}" is scheduled in ${schedule.timezone}, but SQL schedules (pg_cron, Supabase Cron) run in UTC and its slots move against UTC when the clocks change; schedule it with the ticker or an HTTP trigger (they read the time zone), or give it a UTC cron`,
    )
  }
  const problem = portableCronProblem(schedule.cron)
  if (problem !== undefined) {
    throw new NightshiftError(
      'invalid_definition',
      `job "${name}": cron "${schedule.cron}" cannot run in SQL: ${problem}`,
    )
  }
  return `select * from ${schema.sql}.enqueue_cron_slot(${sqlLiteral(name)}, ${sqlLiteral(schedule.cron)}, job_queue => ${sqlLiteral(definition.queue)}, job_priority => ${definition.priority}, job_max_attempts => ${definition.maxAttempts})`
}
