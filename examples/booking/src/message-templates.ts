import { z } from 'zod'

/** The booking app's four messages. */
export const templateNames = [
  'payment_reminder',
  'class_notification',
  'booking_confirmation',
  'admin_alert',
] as const
export type TemplateName = (typeof templateNames)[number]

interface MessageTemplate {
  /** Values in the order of the WhatsApp template's body parameters ({{1}}, {{2}}, …). */
  parameters: readonly string[]
  subject: (values: Record<string, string>) => string
  text: (values: Record<string, string>) => string
}

/**
 * What each template says. WhatsApp templates are approved in Meta's dashboard under these names with
 * the body parameters listed; e-mail is rendered here.
 */
export const messageTemplates: Record<TemplateName, MessageTemplate> = {
  payment_reminder: {
    parameters: ['name', 'amount', 'due'],
    subject: () => 'Payment reminder',
    text: (v) => `Hello ${v.name}, ${v.amount} was due on ${v.due}. Please pay at your earliest convenience.`,
  },
  class_notification: {
    parameters: ['name', 'class', 'starts', 'join_url'],
    subject: (v) => `Your class ${v.class}`,
    text: (v) => `Hello ${v.name}, ${v.class} starts ${v.starts}. Join: ${v.join_url}`,
  },
  booking_confirmation: {
    parameters: ['name', 'class', 'starts'],
    subject: (v) => `Please confirm your booking for ${v.class}`,
    text: (v) => `Hello ${v.name}, please confirm your booking for ${v.class} on ${v.starts}.`,
  },
  admin_alert: {
    parameters: ['subject', 'detail'],
    subject: (v) => `[admin] ${v.subject}`,
    text: (v) => `${v.subject}: ${v.detail}`,
  },
}

/** The values a message carries, checked against its template. */
export const messageValues = z.record(z.string(), z.string())

/** The template's parameters in order; a missing value is an error naming it. */
export function templateParameters(template: TemplateName, values: Record<string, string>): string[] {
  return messageTemplates[template].parameters.map((name) => {
    const value = values[name]
    if (value === undefined) throw new Error(`template ${template} needs a value for "${name}"`)
    return value
  })
}
