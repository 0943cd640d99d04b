import type { SchemaName } from '../db/schema-name.js'
import type { SqlExecutor } from '../db/sql-executor.js'

function table(schema: SchemaName): string {
  return `${schema.sql}.schedules`
}

/**
 * Locks one schedule's ledger row until the end of the caller's transaction and returns its last
 * slot, or undefined for a schedule never ticked. Row locks are transaction-scoped, so this works
 * through a transaction-mode pooler; concurrent ticks of one schedule queue here one after the other.
 * Must run inside `executor.transaction`.
 */
export async function lockScheduleLedger(
  executor: SqlExecutor,
  schema: SchemaName,
  name: string,
): Promise<Date | undefined> {
  const rows = await executor.query<{ last_slot: Date }>(
    `select last_slot from ${table(schema)} where name = $1 for update`,
    [name],
  )
  return rows[0]?.last_slot
}

/**
 * Records `slot` as the schedule's last slot. The first writer of a new schedule wins: a concurrent
 * tick that also found no row makes no change (`false`), so it must not enqueue anything either.
 */
export async function writeScheduleLedger(
  executor: SqlExecutor,
  schema: SchemaName,
  name: string,
  slot: Date,
  isNew: boolean,
): Promise<boolean> {
  if (isNew) {
    const rows = await executor.query(
      `insert into ${table(schema)} (name, last_slot) values ($1, $2)
       on conflict (name) do nothing returning name`,
      [name, slot],
    )
    return rows.length > 0
  }
  await executor.query(`update ${table(schema)} set last_slot = $2, updated_at = now() where name = $1`, [
    name,
    slot,
  ])
  return true
}

/** Every schedule's last slot, by job name. */
export async function readScheduleLedger(
  executor: SqlExecutor,
  schema: SchemaName,
): Promise<Map<string, Date>> {
  const rows = await executor.query<{ name: string; last_slot: Date }>(
    `select name, last_slot from ${table(schema)}`,
  )
  return new Map(rows.map((row) => [row.name, row.last_slot]))
}
