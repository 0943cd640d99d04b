import type { TransactionClient } from '@nightshift/jobs-core'
import type { BookingDependencies } from './booking-dependencies.js'
import type { TemplateName } from './message-templates.js'
import { emailNotificationInput, whatsappNotificationInput } from './notification-input.js'

/** A customer as notifications need them. */
export interface Recipient {
  email: string
  whatsapp_number: string | null
}

/**
 * Enqueues a message to a customer, on WhatsApp when they have a valid number and by e-mail otherwise,
 * on the caller's transaction client: it commits or vanishes with the change that caused it. The key
 * makes a repeated call (a retried job) enqueue nothing new. Keys are unique per job name, so the key
 * guards one channel; a repeat that picks the other channel (the number changed between the calls) is
 * prevented by the caller's own change, which commits with the first enqueue and makes the step done. A customer with neither a valid number nor
 * a valid address gets nothing ('undeliverable') rather than failing the caller's change: a bad row
 * must not block the step (or, for Zoom, roll back a meeting Zoom already made).
 *
 * @example
 * await notifyCustomer(deps, client, customer, 'payment_reminder', values, `overdue:${id}:2`)
 */
export async function notifyCustomer(
  deps: BookingDependencies,
  client: TransactionClient,
  customer: Recipient,
  template: TemplateName,
  values: Record<string, string>,
  idempotencyKey: string,
): Promise<'whatsapp' | 'email' | 'undeliverable'> {
  const queue = deps.queue()
  const whatsapp = { to: customer.whatsapp_number ?? '', template, values }
  if (customer.whatsapp_number && whatsappNotificationInput.safeParse(whatsapp).success) {
    await queue.enqueue('send-whatsapp', whatsapp, { db: client, idempotencyKey })
    return 'whatsapp'
  }
  const email = { to: customer.email, template, values }
  if (!emailNotificationInput.safeParse(email).success) return 'undeliverable'
  await queue.enqueue('send-email', email, { db: client, idempotencyKey })
  return 'email'
}

/** Enqueues an admin alert by e-mail to the configured admin, on the caller's transaction client. */
export async function notifyAdmin(
  deps: BookingDependencies,
  client: TransactionClient,
  values: { subject: string; detail: string },
  idempotencyKey: string,
): Promise<void> {
  await deps
    .queue()
    .enqueue(
      'send-email',
      { to: deps.config.adminEmail, template: 'admin_alert', values },
      { db: client, idempotencyKey },
    )
}

/** Cents as money for a message: 12.50. */
export function formatAmount(cents: number): string {
  return (cents / 100).toFixed(2)
}
