import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import type { AnyJobDefinition } from '../define-job.js'
import type { CatchUpPolicy } from './cron-schedule.js'
import { describeCron } from './describe-schedule.js'
import { readScheduleLedger } from './schedule-ledger.js'
import { slotsAfter } from './schedule-slots.js'
import { localIso } from './zoned-time.js'

/**
 * One schedule, as `jobs.schedules()` lists it.
 *
 * @example
 * for (const s of await jobs.schedules()) console.log(s.name, s.description, s.nextRuns[0]?.local)
 */
export interface ScheduleInfo {
  name: string
  cron: string
  timezone: string
  catchUp: CatchUpPolicy
  /** Plain English, e.g. `At 02:00 every day (Europe/London)`. */
  description: string
  /** The last slot `tick()` dealt with (ISO, UTC), or null before the first tick. */
  lastSlot: string | null
  /** The next slots after `now`: `local` in the schedule's zone with its offset, `utc` in UTC. */
  nextRuns: { local: string; utc: string }[]
}

/** Lists every scheduled job with its description, last slot and next runs. */
export async function listSchedules(
  executor: SqlExecutor,
  schema: SchemaName,
  definitions: ReadonlyMap<string, AnyJobDefinition>,
  options: { now: Date; count: number },
): Promise<ScheduleInfo[]> {
  const ledger = await readScheduleLedger(executor, schema)
  const list: ScheduleInfo[] = []
  for (const { name, schedule } of definitions.values()) {
    if (!schedule) continue
    const last = ledger.get(name)
    list.push({
      name,
      cron: schedule.cron,
      timezone: schedule.timezone,
      catchUp: schedule.catchUp,
      description: `${describeCron(schedule.cron)} (${schedule.timezone})`,
      lastSlot: last ? last.toISOString() : null,
      nextRuns: slotsAfter(schedule, options.now, options.count).map((slot) => ({
        local: localIso(slot, schedule.timezone),
        utc: slot.toISOString(),
      })),
    })
  }
  return list
}
