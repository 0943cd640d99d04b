import type { TemplateName } from './message-templates.js'

/** One rung of a ladder: who is told what, and how long after the previous rung at the earliest. */
export interface EscalationStep {
  level: number
  /** Hours since the previous step before this one may be taken (0 for the first). */
  coolDownHours: number
  audience: 'customer' | 'admin'
  template: TemplateName
}

/** The kinds of outstanding item run-escalation-orchestration steps up. */
export type EscalationSubject = 'unpaid-invoice' | 'unconfirmed-booking'

/**
 * The rules, as a table: reminder → second reminder → admin alert, each after a cool-down. Change the
 * table, not the code, to change the ladder.
 */
export const escalationLadders: Record<EscalationSubject, readonly EscalationStep[]> = {
  'unpaid-invoice': [
    { level: 1, coolDownHours: 0, audience: 'customer', template: 'payment_reminder' },
    { level: 2, coolDownHours: 72, audience: 'customer', template: 'payment_reminder' },
    { level: 3, coolDownHours: 72, audience: 'admin', template: 'admin_alert' },
  ],
  'unconfirmed-booking': [
    { level: 1, coolDownHours: 0, audience: 'customer', template: 'booking_confirmation' },
    { level: 2, coolDownHours: 24, audience: 'customer', template: 'booking_confirmation' },
    { level: 3, coolDownHours: 24, audience: 'admin', template: 'admin_alert' },
  ],
}

/** A booking still `pending` this long after it was made counts as unconfirmed. */
export const unconfirmedAfterHours = 24

/**
 * The next step an item may take now, or undefined: at the top of its ladder, or still cooling down
 * (unless `force`).
 *
 * @example
 * nextEscalationStep('unpaid-invoice', { level: 1, lastAt }, now, false)
 */
export function nextEscalationStep(
  subject: EscalationSubject,
  current: { level: number; lastAt: Date | null },
  now: Date,
  force: boolean,
): EscalationStep | undefined {
  const step = escalationLadders[subject].find((candidate) => candidate.level === current.level + 1)
  if (!step) return undefined
  if (force || current.lastAt === null) return step
  const cooledAt = current.lastAt.getTime() + step.coolDownHours * 3_600_000
  return cooledAt <= now.getTime() ? step : undefined
}
