import { createHandler, type HandlerJobs, type HandlerOptions } from '@nightshift/jobs-core'
import { type Request as ExpressRequest, type Response as ExpressResponse, Router } from 'express'

/** Options of `createRouter`: the core handler's options (`basePath` is rarely needed: mount instead). */
export type RouterOptions = HandlerOptions

type BodyCarrier = ExpressRequest & { rawBody?: unknown }

/**
 * The request's body bytes. Untouched requests are read from the stream, so signatures see the exact
 * bytes. When a body parser ran first, `req.rawBody` (if the app kept it) or a Buffer/string body is
 * exact; a body parsed into an object can only be re-serialised (as a form when it was one, else as
 * JSON), which keeps bearer auth, JSON and the dashboard's forms working but breaks HMAC signatures:
 * mount the router before `express.json()` when you sign.
 */
async function bodyOf(req: BodyCarrier): Promise<Uint8Array | string | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined
  if (Buffer.isBuffer(req.rawBody) || typeof req.rawBody === 'string') return req.rawBody
  if (Buffer.isBuffer(req.body) || typeof req.body === 'string') return req.body
  if (req.body !== undefined && req.body !== null) {
    // express.urlencoded() parsed a form (the dashboard's login and Retry): send it back as a form.
    if (req.is('application/x-www-form-urlencoded')) return new URLSearchParams(req.body).toString()
    return JSON.stringify(req.body)
  }
  if (req.readableEnded) return undefined
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks)
}

async function toWebRequest(req: BodyCarrier): Promise<Request> {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.set(name, value)
  }
  const body = await bodyOf(req)
  if (body !== undefined && headers.has('content-length')) {
    // A re-serialised body has another length than the one the client sent.
    headers.set(
      'content-length',
      String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength),
    )
  }
  // The full URL as the browser sent it; the mount path (req.baseUrl) goes with it to the handler, so
  // the dashboard's links and cookie Path are right at `/mount` without a trailing slash too.
  const url = new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`)
  return new Request(url, { method: req.method, headers, body: body as BodyInit | undefined })
}

async function sendWebResponse(response: Response, res: ExpressResponse): Promise<void> {
  res.status(response.status)
  response.headers.forEach((value, name) => {
    res.setHeader(name, value)
  })
  res.end(Buffer.from(await response.arrayBuffer()))
}

/**
 * An Express 5 Router that serves nightshift's HTTP contract by delegating every request to the
 * core's `createHandler`; it only converts requests and responses. Mount it anywhere.
 *
 * @example
 * app.use('/functions/v1', createRouter(jobs, { auth: { tokens: { [process.env.TOKEN!]: '*' } } }))
 */
export function createRouter(jobs: HandlerJobs, options: RouterOptions): Router {
  const handler = createHandler(jobs, options)
  const router = Router()
  router.use(async (req, res, next) => {
    try {
      await sendWebResponse(await handler(await toWebRequest(req), { mountPath: req.baseUrl }), res)
    } catch (error) {
      next(error)
    }
  })
  return router
}
