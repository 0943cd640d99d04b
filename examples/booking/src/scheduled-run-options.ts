import type { TransactionClient } from '@nightshift/jobs-core'

/**
 * What a scheduled job's run acts for, and where it writes.
 *
 * @example
 * run: (_input, ctx) => ctx.transaction((tx) => escalateOverdueBookings(deps, { slot: ctx.slot, db: tx }))
 */
export interface ScheduledRunOptions {
  /**
   * The schedule slot the run stands for (the handler's `ctx.slot`); absent or null for a run that is
   * not a slot's (a plain enqueue), which acts for the clock's now. A late or caught-up run decides
   * what it acts on from its slot, so it does its slot's work, not the work of the day it runs on.
   */
  slot?: Date | null
  /**
   * The connection the run reads and writes on: `ctx.transaction`'s `tx`, so its writes commit with the
   * job's completion or not at all (a run that lost its lease writes nothing). Without it, the run opens
   * its own transaction on `deps.db`.
   */
  db?: TransactionClient
}
