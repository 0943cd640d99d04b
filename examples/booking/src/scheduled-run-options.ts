/**
 * What a scheduled job's run acts for.
 *
 * @example
 * run: (_input, ctx) => generateT5Invoices(deps, { slot: ctx.slot })
 */
export interface ScheduledRunOptions {
  /**
   * The schedule slot the run stands for (the handler's `ctx.slot`); absent or null for a run that is
   * not a slot's (a plain enqueue), which acts for the clock's now. A late or caught-up run decides
   * what it acts on from its slot, so it does its slot's work, not the work of the day it runs on.
   */
  slot?: Date | null
}
