import type { Request as ExpressRequest } from 'express'

type BodyCarrier = ExpressRequest & { rawBody?: unknown }

/** Why a Node request cannot become a web `Request`: answered 400 or 405 by the router, never thrown on. */
export class UnconvertibleRequest extends Error {
  override name = 'UnconvertibleRequest'
  constructor(
    readonly status: 400 | 405,
    readonly code: 'invalid_input' | 'method_not_allowed',
    message: string,
  ) {
    super(message)
  }
}

// A host name, IPv4 or bracketed IPv6, and an optional port: no userinfo, path or spaces.
const hostPattern =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i

// Methods a web `Request` refuses to carry (the Fetch standard's forbidden methods).
const forbiddenMethods = new Set(['CONNECT', 'TRACE', 'TRACK'])

/**
 * A body a parser already read (express.json(), express.urlencoded(), express.raw()), or undefined
 * when the stream is untouched. `req.rawBody` (if the app kept it) or a Buffer/string body is exact; an
 * object can only be re-serialised (as a form when it was one, else as JSON), which keeps bearer auth,
 * JSON and the dashboard's forms working but breaks HMAC signatures: mount the router before
 * `express.json()` when you sign.
 */
function parsedBody(req: BodyCarrier): Uint8Array | string | undefined {
  if (Buffer.isBuffer(req.rawBody) || typeof req.rawBody === 'string') return req.rawBody
  if (Buffer.isBuffer(req.body) || typeof req.body === 'string') return req.body
  if (req.body === undefined || req.body === null) return undefined
  if (req.is('application/x-www-form-urlencoded')) return new URLSearchParams(req.body).toString()
  return JSON.stringify(req.body)
}

/**
 * The untouched request stream as a web stream that reads a chunk only when the core asks for one. The
 * core asks after it has matched the route and method and checked Content-Length, and stops at its
 * byte limit, so a request it refuses is never read into memory.
 */
function lazyBody(req: ExpressRequest): ReadableStream<Uint8Array> {
  let chunks: AsyncIterator<Buffer> | undefined
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        chunks ??= req[Symbol.asyncIterator]()
        const { done, value } = await chunks.next()
        if (done) controller.close()
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
      },
    },
    { highWaterMark: 0 },
  )
}

/**
 * Converts an Express request to a web `Request` for the core's handler: the full URL as the browser
 * sent it (its Host checked), the headers, and the body (streamed when no parser read it).
 *
 * @example
 * const request = toWebRequest(req) // throws UnconvertibleRequest for TRACE or an invalid Host
 */
export function toWebRequest(req: BodyCarrier): Request {
  if (forbiddenMethods.has(req.method)) {
    throw new UnconvertibleRequest(405, 'method_not_allowed', `${req.method} is not served here`)
  }
  const host = req.headers.host ?? 'localhost'
  if (!hostPattern.test(host))
    throw new UnconvertibleRequest(400, 'invalid_input', 'the Host header is not a host name')
  const headers = new Headers()
  try {
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item)
      else if (value !== undefined) headers.set(name, value)
    }
  } catch {
    throw new UnconvertibleRequest(400, 'invalid_input', 'a header is not valid')
  }
  let body: BodyInit | undefined
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const parsed = parsedBody(req)
    if (parsed !== undefined) {
      // A re-serialised body has another length than the one the client sent.
      if (headers.has('content-length')) headers.set('content-length', String(Buffer.byteLength(parsed)))
      body = parsed as BodyInit
    } else if (!req.readableEnded) {
      body = lazyBody(req)
    }
  }
  let url: URL
  try {
    // The mount path (req.baseUrl) goes with it to the handler, so the dashboard's links and cookie
    // Path are right at `/mount` without a trailing slash too.
    url = new URL(req.originalUrl, `${req.protocol}://${host}`)
  } catch {
    throw new UnconvertibleRequest(400, 'invalid_input', 'the request URL is not valid')
  }
  try {
    return new Request(url, { method: req.method, headers, body, duplex: 'half' } as RequestInit)
  } catch {
    throw new UnconvertibleRequest(400, 'invalid_input', 'the request cannot be read')
  }
}
