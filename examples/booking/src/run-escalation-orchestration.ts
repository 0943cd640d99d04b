import type { TransactionClient } from '@nightshift/jobs-core'
import type { BookingDependencies } from './booking-dependencies.js'
import { type EscalationSubject, nextEscalationStep, unconfirmedAfterHours } from './escalation-rules.js'
import { inTransaction } from './in-transaction.js'
import { formatAmount, notifyAdmin, notifyCustomer } from './notify.js'
import type { ScheduledRunOptions } from './scheduled-run-options.js'

/** One step taken. */
export interface Escalated {
  subject: EscalationSubject
  id: string
  level: number
  audience: 'customer' | 'admin'
  template: string
  forced: boolean
}

interface Candidate {
  subject_id: string
  customer_name: string
  email: string
  whatsapp_number: string | null
  level: number
  last_at: Date | null
  label: string
  amount_cents: number
  due: Date
}

const currentLevel = (kind: string, idColumn: string) => `
  coalesce((select max(e.level) from booking.escalations e
            where e.subject_kind = '${kind}' and e.subject_id = ${idColumn}), 0) as level,
  (select max(e.escalated_at) from booking.escalations e
   where e.subject_kind = '${kind}' and e.subject_id = ${idColumn}) as last_at`

async function candidates(
  client: TransactionClient,
  subject: EscalationSubject,
  at: Date,
  now: Date,
): Promise<Candidate[]> {
  if (subject === 'unpaid-invoice') {
    const { rows } = await client.query<Candidate>(
      `select i.id as subject_id, cu.name as customer_name, cu.email, cu.whatsapp_number,
              'invoice ' || i.kind || ' ' || i.period_key as label, i.total_cents as amount_cents, i.due_at as due,
              ${currentLevel('unpaid-invoice', 'i.id')}
       from booking.invoices i join booking.customers cu on cu.id = i.customer_id
       where i.paid_at is null and i.due_at < $1
       order by i.id`,
      [at],
    )
    return rows
  }
  const { rows } = await client.query<Candidate>(
    `select b.id as subject_id, cu.name as customer_name, cu.email, cu.whatsapp_number,
            c.title as label, b.price_cents as amount_cents, c.starts_at as due,
            ${currentLevel('unconfirmed-booking', 'b.id')}
     from booking.bookings b
     join booking.customers cu on cu.id = b.customer_id
     join booking.classes c on c.id = b.class_id
     where b.status = 'pending' and b.created_at <= $1::timestamptz - $2 * interval '1 hour'
       -- no reminder for a class that has started by the time the message goes out
       and c.starts_at > greatest($1::timestamptz, $3::timestamptz)
     order by b.id`,
    [at, unconfirmedAfterHours, now],
  )
  return rows
}

/**
 * `run-escalation-orchestration` (02:00 UTC, body `{"force":false}`): steps every outstanding item
 * (unpaid invoices past due, bookings left unconfirmed) one rung up its ladder (see
 * `escalationLadders`) once its cool-down has passed, and enqueues the message with the step.
 * `force: true` ignores the cool-down (still one rung per run) and is recorded on the step.
 *
 * The whole run is one transaction: given `db` (the job passes `ctx.transaction`'s `tx`), its steps and
 * messages commit together with the job's completion, so a run that lost its lease lands none of them.
 * Without `db` it opens its own transaction on `deps.db`. A step stays a row unique per (item, level):
 * the second line of defence for two different jobs at once (the 02:00 slot and a forced run), which
 * one job's fence does not order; the later waits for the earlier's commit and takes no step twice.
 *
 * Cool-downs run from slot to slot: a run is "now" at its slot (the clock's now without one) and
 * records its steps at it, so a daily run with a 24-hour cool-down steps every day, however many
 * seconds late each run started.
 *
 * @example
 * run: (input, ctx) =>
 *   ctx.transaction((tx) => runEscalationOrchestration(deps, { force: input.force, slot: ctx.slot, db: tx }))
 */
export async function runEscalationOrchestration(
  deps: BookingDependencies,
  options: ScheduledRunOptions & { force: boolean },
): Promise<{ escalated: Escalated[] }> {
  const run = (client: TransactionClient) => escalate(deps, client, options)
  return options.db ? run(options.db) : inTransaction(deps.db, run)
}

async function escalate(
  deps: BookingDependencies,
  client: TransactionClient,
  options: ScheduledRunOptions & { force: boolean },
): Promise<{ escalated: Escalated[] }> {
  const now = deps.now()
  const at = options.slot ?? now
  const { force } = options
  const escalated: Escalated[] = []
  for (const subject of ['unpaid-invoice', 'unconfirmed-booking'] as const) {
    for (const item of await candidates(client, subject, at, now)) {
      const step = nextEscalationStep(subject, { level: item.level, lastAt: item.last_at }, at, force)
      if (!step) continue
      const inserted = await client.query(
        `insert into booking.escalations (subject_kind, subject_id, level, escalated_at, forced)
         values ($1, $2, $3, $4, $5) on conflict (subject_kind, subject_id, level) do nothing returning id`,
        [subject, item.subject_id, step.level, at, force],
      )
      // Taken by another job's run that committed first: its message went with it.
      if (inserted.rowCount === 0) continue
      const key = `escalation:${subject}:${item.subject_id}:${step.level}`
      if (step.audience === 'admin') {
        await notifyAdmin(
          deps,
          client,
          {
            subject: `${subject} ${item.subject_id} reached level ${step.level}`,
            detail: `${item.customer_name}: ${item.label}, ${formatAmount(item.amount_cents)}`,
          },
          key,
        )
      } else {
        const values: Record<string, string> =
          step.template === 'payment_reminder'
            ? {
                name: item.customer_name,
                amount: formatAmount(item.amount_cents),
                due: item.due.toISOString().slice(0, 10),
              }
            : { name: item.customer_name, class: item.label, starts: item.due.toISOString() }
        await notifyCustomer(deps, client, item, step.template, values, key)
      }
      escalated.push({
        subject,
        id: item.subject_id,
        level: step.level,
        audience: step.audience,
        template: step.template,
        forced: force,
      })
    }
  }
  return { escalated }
}
