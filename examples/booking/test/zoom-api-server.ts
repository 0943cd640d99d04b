import { type ProgrammedAnswer, type RecordedRequest, startRecordedServer } from './recorded-http-server.js'

export const zoomAccount = { accountId: 'acc-123', clientId: 'client-abc', clientSecret: 'secret-xyz' }

/**
 * A local Zoom: `POST /oauth/token?grant_type=account_credentials&account_id=…` with Basic auth gives a
 * token; `POST /v2/users/me/meetings` with that bearer token makes a meeting. `failNext` programs
 * answers for the meetings endpoint; `meetingDelayMs` makes concurrent runs overlap.
 */
export async function startZoomApiServer(options: { tokenLifetimeSeconds?: number } = {}) {
  const queued: ProgrammedAnswer[] = []
  let tokens = 0
  let meetings = 0
  const state = { meetingDelayMs: 0 }
  const basic = `Basic ${Buffer.from(`${zoomAccount.clientId}:${zoomAccount.clientSecret}`).toString('base64')}`
  const issued = new Set<string>()
  const server = await startRecordedServer((request: RecordedRequest): ProgrammedAnswer => {
    if (request.method === 'POST' && request.path === '/oauth/token') {
      if (request.headers.authorization !== basic)
        return {
          status: 401,
          body: { reason: 'Invalid client_id or client_secret', error: 'invalid_client' },
        }
      if (
        request.query.get('grant_type') !== 'account_credentials' ||
        request.query.get('account_id') !== zoomAccount.accountId
      ) {
        return { status: 400, body: { reason: 'Invalid account_id', error: 'invalid_request' } }
      }
      const token = `zoom-token-${++tokens}`
      issued.add(token)
      return {
        status: 200,
        body: {
          access_token: token,
          token_type: 'bearer',
          expires_in: options.tokenLifetimeSeconds ?? 3599,
          scope: 'meeting:write:admin',
        },
      }
    }
    if (request.method === 'POST' && request.path === '/v2/users/me/meetings') {
      const token = request.headers.authorization?.replace(/^Bearer /, '') ?? ''
      if (!issued.has(token)) return { status: 401, body: { code: 124, message: 'Invalid access token.' } }
      const body = JSON.parse(request.body)
      if (
        typeof body.topic !== 'string' ||
        body.type !== 2 ||
        typeof body.start_time !== 'string' ||
        typeof body.duration !== 'number'
      ) {
        return { status: 400, body: { code: 300, message: 'Invalid meeting request body' } }
      }
      const programmed = queued.shift()
      if (programmed) return programmed
      const id = 85_000_000_000 + ++meetings
      return {
        status: 201,
        delayMs: state.meetingDelayMs,
        body: {
          id,
          topic: body.topic,
          start_time: body.start_time,
          join_url: `https://zoom.example/j/${id}`,
        },
      }
    }
    return { status: 404, body: { code: 404, message: `no route ${request.path}` } }
  })
  return {
    ...server,
    state,
    tokenRequests: () => server.requests.filter((request) => request.path === '/oauth/token').length,
    meetingsCreated: () => meetings,
    failNext(...answers: ProgrammedAnswer[]) {
      queued.push(...answers)
    },
  }
}
