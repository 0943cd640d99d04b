import { type BookingConfig, requireSetting } from './booking-config.js'
import { DeliveryError, type MessageChannel } from './message-channel.js'
import { templateParameters } from './message-templates.js'

// Meta's throttling codes come back with HTTP 400 as well as 429; they are worth retrying.
// https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
const throttlingCodes = new Set([4, 80007, 130429, 131048, 131056])

interface GraphError {
  error?: { message?: string; code?: number; error_data?: { details?: string } }
}

/**
 * Sends template messages through the WhatsApp Cloud API:
 * `POST {base}/{version}/{phone-number-id}/messages` with a bearer token.
 *
 * @example
 * const whatsapp = whatsappCloudChannel(config.whatsapp)
 */
export function whatsappCloudChannel(
  settings: BookingConfig['whatsapp'],
  fetchImpl: typeof fetch = fetch,
): MessageChannel {
  return {
    channel: 'whatsapp',
    provider: 'whatsapp-cloud',
    async send(message, signal) {
      // Checked per message, so a missing variable fails this job with its name and nothing else.
      const phoneNumberId = requireSetting(settings.phoneNumberId, 'WHATSAPP_PHONE_NUMBER_ID', 'WhatsApp')
      const token = requireSetting(settings.accessToken, 'WHATSAPP_ACCESS_TOKEN', 'WhatsApp')
      const url = `${settings.baseUrl.replace(/\/+$/, '')}/${settings.apiVersion}/${encodeURIComponent(phoneNumberId)}/messages`
      const body = {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: message.to.replace(/^\+/, ''),
        type: 'template',
        template: {
          name: message.template,
          language: { code: settings.language },
          components: [
            {
              type: 'body',
              parameters: templateParameters(message.template, message.values).map((text) => ({
                type: 'text',
                text,
              })),
            },
          ],
        },
      }
      let response: Response
      try {
        response = await fetchImpl(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal,
        })
      } catch (error) {
        throw new DeliveryError(`WhatsApp Cloud API unreachable: ${(error as Error).message}`, {
          permanent: false,
          cause: error,
        })
      }
      const text = await response.text()
      let json: unknown = text
      try {
        json = JSON.parse(text)
      } catch {}
      if (response.ok) return { response: json }
      const graph = (typeof json === 'object' && json !== null ? json : {}) as GraphError
      const code = graph.error?.code
      const detail = graph.error?.error_data?.details ?? graph.error?.message ?? text.slice(0, 200)
      const retryable =
        response.status === 429 || response.status >= 500 || (code !== undefined && throttlingCodes.has(code))
      throw new DeliveryError(
        `WhatsApp Cloud API answered ${response.status}${code === undefined ? '' : ` (code ${code})`}: ${detail}`,
        { permanent: !retryable, response: json },
      )
    },
  }
}
