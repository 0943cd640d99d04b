import { type ProgrammedAnswer, type RecordedRequest, startRecordedServer } from './recorded-http-server.js'

export const whatsappToken = 'wa-test-token'
export const phoneNumberId = '1098765432'

/**
 * A local WhatsApp Cloud API: `POST /{version}/{phone-number-id}/messages` with the bearer token and a
 * template body, answered like Meta does; `failNext` programs 429/500/400 answers.
 */
export async function startWhatsappCloudServer() {
  const queued: ProgrammedAnswer[] = []
  const failing = new Map<string, ProgrammedAnswer>()
  // biome-ignore lint/suspicious/noExplicitAny: the request bodies as Meta receives them
  const accepted: any[] = []
  const server = await startRecordedServer((request: RecordedRequest): ProgrammedAnswer => {
    if (request.method !== 'POST' || request.path !== `/v21.0/${phoneNumberId}/messages`) {
      return { status: 404, body: { error: { message: `unknown path ${request.path}`, code: 100 } } }
    }
    if (request.headers.authorization !== `Bearer ${whatsappToken}`) {
      return { status: 401, body: { error: { message: 'Invalid OAuth access token', code: 190 } } }
    }
    const body = JSON.parse(request.body)
    const parameters = body.template?.components?.[0]?.parameters
    if (
      body.messaging_product !== 'whatsapp' ||
      body.type !== 'template' ||
      typeof body.template?.name !== 'string' ||
      typeof body.template?.language?.code !== 'string' ||
      !Array.isArray(parameters)
    ) {
      return { status: 400, body: { error: { message: 'Invalid parameter', code: 100 } } }
    }
    const always = failing.get(body.to)
    if (always) return always
    const programmed = queued.shift()
    if (programmed) return programmed
    accepted.push(body)
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: body.to, wa_id: body.to }],
        messages: [{ id: `wamid.test${accepted.length}` }],
      },
    }
  })
  return {
    ...server,
    /** Message bodies accepted (answered 200). */
    accepted,
    failNext(...answers: ProgrammedAnswer[]) {
      queued.push(...answers)
    },
    /** Answers every message to this number (digits only, as sent) with `answer`. */
    failAlwaysFor(to: string, answer: ProgrammedAnswer) {
      failing.set(to, answer)
    },
  }
}

/** Meta's answer for a number that is not on WhatsApp. */
export const invalidNumberAnswer: ProgrammedAnswer = {
  status: 400,
  body: {
    error: {
      message: '(#131026) Message undeliverable',
      code: 131026,
      error_data: { details: 'Message undeliverable: the recipient is not a valid WhatsApp user' },
    },
  },
}
