import { z } from 'zod'
import { templateNames } from './message-templates.js'

/** The input of `send-whatsapp`: a number in E.164 (+ optional), a template, its values. */
export const whatsappNotificationInput = z.object({
  to: z.string().regex(/^\+?[1-9]\d{6,14}$/, 'must be a phone number in E.164 form, like +15551234567'),
  template: z.enum(templateNames),
  values: z.record(z.string(), z.string()),
})

/** The input of `send-email`. */
export const emailNotificationInput = z.object({
  to: z.email(),
  template: z.enum(templateNames),
  values: z.record(z.string(), z.string()),
})

export type NotificationInput = z.input<typeof whatsappNotificationInput>
