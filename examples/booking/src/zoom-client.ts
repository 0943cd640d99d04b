import { type BookingConfig, requireSetting } from './booking-config.js'

/** A meeting Zoom made. */
export interface ZoomMeeting {
  id: string
  joinUrl: string
}

/** What schedule-create-zoom needs from Zoom. */
export interface ZoomMeetings {
  createMeeting(
    meeting: { topic: string; startTime: Date; durationMinutes: number },
    signal?: AbortSignal,
  ): Promise<ZoomMeeting>
}

/**
 * Zoom refused a request. `retryable` for 429 and 5xx (the job's backoff tries again); any other 4xx is
 * permanent and carries Zoom's own message.
 */
export class ZoomRequestError extends Error {
  override name = 'ZoomRequestError'
  readonly status: number
  readonly retryable: boolean

  constructor(status: number, message: string) {
    super(message)
    this.status = status
    this.retryable = status === 429 || status >= 500
  }
}

async function zoomError(what: string, response: Response): Promise<ZoomRequestError> {
  const text = await response.text()
  let message = text.slice(0, 300)
  try {
    const body = JSON.parse(text) as { message?: string; reason?: string; error?: string }
    message = body.message ?? body.reason ?? body.error ?? message
  } catch {}
  return new ZoomRequestError(response.status, `Zoom ${what} answered ${response.status}: ${message}`)
}

// Refresh a little before Zoom's expiry, so a token never expires between check and use.
const expiryMarginMs = 60_000

/**
 * A Zoom client for a Server-to-Server OAuth app: `POST /oauth/token?grant_type=account_credentials`
 * with Basic auth, then `POST /v2/users/me/meetings` with the bearer token, cached until it expires.
 *
 * @example
 * const zoom = zoomClient(config.zoom, { now: () => new Date() })
 * const meeting = await zoom.createMeeting({ topic: 'Yoga', startTime, durationMinutes: 60 })
 */
export function zoomClient(
  settings: BookingConfig['zoom'],
  options: { now: () => Date; fetch?: typeof fetch },
): ZoomMeetings {
  const fetchImpl = options.fetch ?? fetch
  let cached: { token: string; expiresAt: number } | undefined

  async function accessToken(signal?: AbortSignal): Promise<string> {
    if (cached && cached.expiresAt > options.now().getTime()) return cached.token
    const accountId = requireSetting(settings.accountId, 'ZOOM_ACCOUNT_ID', 'Zoom')
    const clientId = requireSetting(settings.clientId, 'ZOOM_CLIENT_ID', 'Zoom')
    const clientSecret = requireSetting(settings.clientSecret, 'ZOOM_CLIENT_SECRET', 'Zoom')
    const url = new URL('/oauth/token', settings.oauthBaseUrl)
    url.searchParams.set('grant_type', 'account_credentials')
    url.searchParams.set('account_id', accountId)
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}` },
      signal,
    })
    if (!response.ok) throw await zoomError('OAuth', response)
    const body = (await response.json()) as { access_token?: string; expires_in?: number }
    if (typeof body.access_token !== 'string')
      throw new ZoomRequestError(502, 'Zoom OAuth gave no access_token')
    const lifetimeMs = (body.expires_in ?? 3600) * 1000
    cached = { token: body.access_token, expiresAt: options.now().getTime() + lifetimeMs - expiryMarginMs }
    return cached.token
  }

  async function post(token: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    return fetchImpl(new URL('/v2/users/me/meetings', settings.apiBaseUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    })
  }

  return {
    async createMeeting(meeting, signal) {
      const body = {
        topic: meeting.topic,
        // 2: a scheduled meeting
        type: 2,
        start_time: meeting.startTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        duration: meeting.durationMinutes,
        timezone: 'UTC',
      }
      let response = await post(await accessToken(signal), body, signal)
      if (response.status === 401) {
        // Revoked or rotated early: one fresh token, then Zoom's answer stands.
        cached = undefined
        response = await post(await accessToken(signal), body, signal)
      }
      if (!response.ok) throw await zoomError('create meeting', response)
      const created = (await response.json()) as { id?: number | string; join_url?: string }
      if (created.id === undefined || typeof created.join_url !== 'string') {
        throw new ZoomRequestError(502, 'Zoom create meeting gave no id or join_url')
      }
      return { id: String(created.id), joinUrl: created.join_url }
    },
  }
}
