import type { TemplateName } from './message-templates.js'

/** One message to one recipient. */
export interface OutgoingMessage {
  /** A WhatsApp number (E.164) or an e-mail address, by channel. */
  to: string
  template: TemplateName
  values: Record<string, string>
}

/** What a provider answered to a message it accepted. */
export interface DeliveryReceipt {
  response: unknown
}

/**
 * Somewhere messages go: WhatsApp Cloud API, SMTP, or the local outbox.
 *
 * @example
 * const receipt = await channel.send({ to: '+15551234567', template: 'admin_alert', values }, signal)
 */
export interface MessageChannel {
  readonly channel: 'whatsapp' | 'email'
  /** Recorded in message_audit.provider: 'whatsapp-cloud', 'smtp' or 'outbox'. */
  readonly provider: string
  send(message: OutgoingMessage, signal: AbortSignal): Promise<DeliveryReceipt>
}

/**
 * A provider refused or failed a message. `permanent` (an invalid number, a rejected address) means
 * retrying cannot help; otherwise (rate limits, 5xx, timeouts) the job's backoff tries again.
 */
export class DeliveryError extends Error {
  override name = 'DeliveryError'
  readonly permanent: boolean
  readonly response: unknown

  constructor(message: string, options: { permanent: boolean; response?: unknown; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.permanent = options.permanent
    this.response = options.response
  }
}

/**
 * The local outbox: records the message in message_audit (through the send job) and sends nothing. The
 * default for a channel whose provider is not configured, so a demo server runs with no accounts.
 *
 * @example
 * const whatsapp = outboxChannel('whatsapp')
 */
export function outboxChannel(channel: 'whatsapp' | 'email'): MessageChannel {
  return {
    channel,
    provider: 'outbox',
    async send(message) {
      return { response: { outbox: true, to: message.to, template: message.template } }
    },
  }
}
