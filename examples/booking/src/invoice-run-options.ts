import type { TransactionClient } from '@nightshift/jobs-core'
import type { ScheduledRunOptions } from './scheduled-run-options.js'

/**
 * What an invoice job's run acts for, and where it writes.
 *
 * @example
 * run: (_input, ctx) => ctx.transaction((tx) => generateT5Invoices(deps, { slot: ctx.slot, db: tx }))
 */
export interface InvoiceRunOptions extends ScheduledRunOptions {
  /**
   * The connection the invoices are read and written on: `ctx.transaction`'s `tx`, so they commit with
   * the job's completion or not at all (a run that lost its lease writes none). Default `deps.db`.
   */
  db?: TransactionClient
}
