import nodemailer, { type Transporter } from 'nodemailer'
import { type BookingConfig, requireSetting } from './booking-config.js'
import { DeliveryError, type MessageChannel } from './message-channel.js'
import { messageTemplates } from './message-templates.js'

interface SmtpFailure {
  responseCode?: number
  response?: string
  message: string
}

/**
 * Sends e-mail over SMTP with nodemailer. A 5xx SMTP reply (mailbox unknown, address rejected) is
 * permanent; 4xx replies and connection failures are retried by the job.
 *
 * @example
 * const email = smtpEmailChannel({ smtpUrl: 'smtp://user:pass@mail.example.com:587', from: 'School <no-reply@example.com>' })
 */
export function smtpEmailChannel(settings: Pick<BookingConfig['email'], 'smtpUrl' | 'from'>): MessageChannel {
  let transport: Transporter | undefined
  return {
    channel: 'email',
    provider: 'smtp',
    async send(message) {
      const smtpUrl = requireSetting(settings.smtpUrl, 'SMTP_URL', 'E-mail')
      const from = requireSetting(settings.from, 'MAIL_FROM', 'E-mail')
      transport ??= nodemailer.createTransport(smtpUrl)
      const template = messageTemplates[message.template]
      try {
        const info = await transport.sendMail({
          from,
          to: message.to,
          subject: template.subject(message.values),
          text: template.text(message.values),
        })
        return { response: { messageId: info.messageId, response: info.response, accepted: info.accepted } }
      } catch (error) {
        const failure = error as SmtpFailure
        const code = failure.responseCode
        throw new DeliveryError(
          `SMTP ${code === undefined ? 'failed' : `answered ${code}`}: ${failure.message}`,
          {
            permanent: code !== undefined && code >= 500,
            response: { responseCode: code ?? null, response: failure.response ?? null },
            cause: error,
          },
        )
      }
    },
  }
}
