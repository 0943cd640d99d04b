import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { AnyJobDefinition } from '../define-job.js'
import { NightshiftError } from '../errors.js'
import type { NewJobRow } from '../queue/insert-jobs.js'
import type { Schedule } from './cron-schedule.js'
import { enqueueSlots } from './enqueue-slots.js'
import { lockScheduleLedger, writeScheduleLedger } from './schedule-ledger.js'
import { latestSlot, previousSlot } from './schedule-slots.js'
import { slotKey } from './slot-key.js'

/**
 * What one `jobs.tick()` did.
 *
 * @example
 * const { enqueued } = await jobs.tick()
 * for (const { name, slot, jobId } of enqueued) console.log(`${name} ${slot} -> job ${jobId}`)
 */
export interface TickReport {
  /** Slots this tick enqueued (a slot a `trigger` enqueued first is listed with that job's id). */
  enqueued: { name: string; slot: string; jobId: string }[]
  /** Missed slots the catch-up policy dropped, per job (counted up to the policy's reach). */
  skipped: { name: string; slots: number }[]
  /** Schedules ticked for the first time: their ledger now starts at `slot`, and no history ran. */
  started: { name: string; slot: string }[]
}

export interface TickDependencies {
  executor: SqlExecutor
  schema: SchemaName
  definitions: ReadonlyMap<string, AnyJobDefinition>
  /** Builds a validated row, as `jobs.enqueue` does. */
  toRow(name: string, input: unknown, options: { idempotencyKey: string }): NewJobRow
}

/** The slots after `last` and at or before `now` that the policy runs, oldest first, and how many it drops. */
export function dueSlots(
  schedule: Schedule,
  last: Date,
  now: Date,
): { run: Date[]; dropped: number; latest: Date | undefined } {
  const latest = latestSlot(schedule, now)
  if (!latest || latest <= last) return { run: [], dropped: 0, latest: undefined }
  const { catchUp } = schedule
  const reach = typeof catchUp === 'object' ? catchUp.max : 1
  const found: Date[] = [latest]
  // One more than the policy reaches, to know whether anything was dropped.
  while (found.length <= reach) {
    const before = previousSlot(schedule, found[found.length - 1] as Date)
    if (!before || before <= last) break
    found.push(before)
  }
  const missedBefore = found.length > 1
  if (catchUp === 'none' && missedBefore) return { run: [], dropped: found.length, latest }
  const run = found.slice(0, reach).reverse()
  return { run, dropped: found.length - run.length, latest }
}

/**
 * Enqueues every due slot of every scheduled job once. Per schedule, in one transaction: lock its
 * ledger row, work out the due slots from the last one recorded and the catch-up policy, enqueue each
 * slot not enqueued before (with idempotency key `<job>@<slot ISO>`; see `enqueueSlots`), and move the
 * ledger on. Concurrent ticks (many processes, GitHub cron plus pg_cron) queue on the row lock; the slot
 * records make any overlap with triggers harmless.
 * A schedule's first tick records its latest slot as the start of its ledger and runs no history.
 */
export async function tickSchedules(deps: TickDependencies, now: Date): Promise<TickReport> {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new NightshiftError('invalid_option', 'tick({ now }) must be a valid Date')
  }
  const report: TickReport = { enqueued: [], skipped: [], started: [] }
  for (const definition of deps.definitions.values()) {
    const { schedule } = definition
    if (!schedule) continue
    const { name } = definition
    await deps.executor.transaction(async (tx) => {
      const last = await lockScheduleLedger(tx, deps.schema, name)
      if (last === undefined) {
        const start = latestSlot(schedule, now) ?? now
        if (await writeScheduleLedger(tx, deps.schema, name, start, true)) {
          report.started.push({ name, slot: start.toISOString() })
        }
        return
      }
      const { run, dropped, latest } = dueSlots(schedule, last, now)
      if (!latest) return
      const results = await enqueueSlots(tx, deps.schema, name, run, (slot) =>
        deps.toRow(name, {}, { idempotencyKey: slotKey(name, slot) }),
      )
      for (const result of results) {
        report.enqueued.push({ name, slot: result.slot.toISOString(), jobId: result.jobId })
      }
      if (dropped > 0) report.skipped.push({ name, slots: dropped })
      await writeScheduleLedger(tx, deps.schema, name, latest, false)
    })
  }
  return report
}
