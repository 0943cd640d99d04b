import { isConnectionError } from '../db/connection-error.js'
import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { AnyJobDefinition } from '../define-job.js'
import { messageOf, NightshiftError } from '../errors.js'
import type { Logger } from '../logger.js'
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
  /**
   * Schedules this tick could not enqueue (their input schema refused `{}` at run time, a statement of
   * theirs failed): nothing of theirs was written and their ledger did not move, so the next tick tries
   * their slots again. The other schedules were ticked as usual. Each is also logged as an error.
   */
  failed: { name: string; code: string; error: string }[]
}

export interface TickDependencies {
  executor: SqlExecutor
  schema: SchemaName
  definitions: ReadonlyMap<string, AnyJobDefinition>
  /** Builds a validated row, as `jobs.enqueue` does. */
  toRow(name: string, input: unknown, options: { idempotencyKey: string }): NewJobRow | Promise<NewJobRow>
  logger: Logger
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
  const report: TickReport = { enqueued: [], skipped: [], started: [], failed: [] }
  for (const definition of deps.definitions.values()) {
    if (!definition.schedule) continue
    try {
      await tickSchedule(deps, definition.name, definition.schedule, now, report)
    } catch (error) {
      // A database that cannot be reached, or was never migrated, fails every schedule alike: say so once.
      if (error instanceof NightshiftError && ['database_unavailable', 'not_migrated'].includes(error.code))
        throw error
      // So does a connection the database dropped inside the schedule's transaction (a shutdown's 57P01
      // reaches here as the driver's error, not yet said to be an outage).
      if (isConnectionError(error)) {
        throw new NightshiftError('database_unavailable', `could not tick: ${messageOf(error)}`, {
          cause: error,
        })
      }
      // Anything else is this schedule's own (its input refused at run time, one of its rows refused):
      // its transaction rolled back, and the other schedules still tick.
      const code = error instanceof NightshiftError ? error.code : 'internal'
      report.failed.push({ name: definition.name, code, error: messageOf(error) })
      deps.logger.error('nightshift: could not tick a schedule; the others were ticked', {
        job: definition.name,
        code,
        error: messageOf(error),
      })
    }
  }
  return report
}

/**
 * One schedule's tick, in one transaction: its ledger, its due slots, their jobs. What it did is added
 * to `report` only once the transaction committed, so a schedule that fails reports nothing but its failure.
 */
async function tickSchedule(
  deps: TickDependencies,
  name: string,
  schedule: Schedule,
  now: Date,
  report: TickReport,
): Promise<void> {
  const done = await deps.executor.transaction(async (tx): Promise<Partial<TickReport>> => {
    const last = await lockScheduleLedger(tx, deps.schema, name)
    if (last === undefined) {
      const start = latestSlot(schedule, now) ?? now
      const first = await writeScheduleLedger(tx, deps.schema, name, start, true)
      return first ? { started: [{ name, slot: start.toISOString() }] } : {}
    }
    const { run, dropped, latest } = dueSlots(schedule, last, now)
    if (!latest) return {}
    // Validated before the slots are opened (a schema may validate asynchronously).
    const rows = new Map<number, NewJobRow>()
    for (const slot of run)
      rows.set(slot.getTime(), await deps.toRow(name, {}, { idempotencyKey: slotKey(name, slot) }))
    const results = await enqueueSlots(
      tx,
      deps.schema,
      name,
      run,
      (slot) => rows.get(slot.getTime()) as NewJobRow,
    )
    await writeScheduleLedger(tx, deps.schema, name, latest, false)
    return {
      enqueued: results.map((result) => ({ name, slot: result.slot.toISOString(), jobId: result.jobId })),
      skipped: dropped > 0 ? [{ name, slots: dropped }] : [],
    }
  })
  report.started.push(...(done.started ?? []))
  report.enqueued.push(...(done.enqueued ?? []))
  report.skipped.push(...(done.skipped ?? []))
}
