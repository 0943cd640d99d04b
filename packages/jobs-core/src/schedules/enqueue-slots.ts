import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'
import { insertJobs, type NewJobRow } from '../queue/insert-jobs.js'

/** What enqueueing one slot gave. */
export interface SlotJob {
  slot: Date
  /** The slot's job: made now, made earlier, or (when `purged`) the id it had. */
  jobId: string
  /** true when this call opened the slot and made its job. */
  created: boolean
  /** The slot was opened earlier and its job has since been purged: it is done, and must not run again. */
  purged: boolean
}

/**
 * Enqueues each slot of one schedule at most once, ever, and returns one entry per distinct slot. A slot is opened by inserting its row into
 * `schedule_slots`; only the transaction that inserts that row makes the slot's job. Purging jobs never
 * deletes slot rows, so a slot whose job is gone stays done (`purged`) instead of running again.
 * Concurrent callers wait on the row's insert and then find the slot's job. Must run inside
 * `executor.transaction`, so that a slot is never recorded without its job. `rowFor` builds the
 * validated job row of a slot (with its key `<job>@<slot>`).
 */
export async function enqueueSlots(
  tx: SqlExecutor,
  schema: SchemaName,
  name: string,
  slots: readonly Date[],
  rowFor: (slot: Date) => NewJobRow,
): Promise<SlotJob[]> {
  const distinct = [...new Map(slots.map((slot) => [slot.getTime(), slot])).values()]
  if (distinct.length === 0) return []
  const table = `${schema.sql}.schedule_slots`
  const opened = await tx.query<{ slot: Date }>(
    `insert into ${table} (name, slot) select $1, s from unnest($2::timestamptz[]) as s
     on conflict (name, slot) do nothing returning slot`,
    [name, distinct],
  )
  const openedTimes = new Set(opened.map((row) => row.slot.getTime()))
  const toOpen = distinct.filter((slot) => openedTimes.has(slot.getTime()))
  const made = new Map<number, { id: string; created: boolean }>()
  if (toOpen.length > 0) {
    // `created: false` here means a job with the slot's key was there before its slot row (enqueued
    // before migration 0009 recorded slots, or by hand): that job is the slot's.
    const results = await insertJobs(tx, schema, toOpen.map(rowFor))
    toOpen.forEach((slot, index) => {
      made.set(slot.getTime(), results[index] as { id: string; created: boolean })
    })
    await tx.query(
      `update ${table} s set job_id = m.job_id
       from unnest($2::timestamptz[], $3::bigint[]) as m(slot, job_id)
       where s.name = $1 and s.slot = m.slot`,
      [name, toOpen, toOpen.map((slot) => made.get(slot.getTime())?.id)],
    )
  }
  const earlier = new Map<number, { id: string; purged: boolean }>()
  const closed = distinct.filter((slot) => !openedTimes.has(slot.getTime()))
  if (closed.length > 0) {
    const rows = await tx.query<{ slot: Date; job_id: string | null; job_exists: boolean }>(
      `select s.slot, s.job_id, exists (select 1 from ${schema.jobs} j where j.id = s.job_id) as job_exists
       from ${table} s where s.name = $1 and s.slot = any($2::timestamptz[])`,
      [name, closed],
    )
    for (const row of rows) {
      earlier.set(row.slot.getTime(), { id: row.job_id ?? '', purged: !row.job_exists })
    }
  }
  return distinct.map((slot) => {
    const own = made.get(slot.getTime())
    if (own) return { slot, jobId: own.id, created: own.created, purged: false }
    const found = earlier.get(slot.getTime())
    if (!found) throw new Error(`slot ${slot.toISOString()} of "${name}" was neither opened nor found`)
    return { slot, jobId: found.id, created: false, purged: found.purged }
  })
}
