import { createHandler, type HandlerJobs, type HandlerOptions } from '@nightshift/jobs-core'
import { type Response as ExpressResponse, Router } from 'express'
import { toWebRequest, UnconvertibleRequest } from './to-web-request.js'

/** Options of `createRouter`: the core handler's options (`basePath` is rarely needed: mount instead). */
export interface RouterOptions extends HandlerOptions {
  /**
   * How long a request's body may take to arrive, from the request's start; a slower one is answered
   * 408 and its connection closed, so slow uploads cannot hold connections. Default 10,000 ms.
   */
  bodyTimeoutMs?: number
}

/** A contract error answered by the router itself (the core never saw the request). */
function refuse(res: ExpressResponse, status: number, code: string, message: string): void {
  if (res.headersSent) return
  const body = JSON.stringify({ ok: false, error: { code, message } })
  res.writeHead(status, {
    'content-length': Buffer.byteLength(body),
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    // The rest of an unread body is not worth reading: end the connection after this answer.
    connection: 'close',
  })
  res.end(body)
}

async function sendWebResponse(response: Response, res: ExpressResponse, unread: boolean): Promise<void> {
  if (res.headersSent) return
  res.status(response.status)
  response.headers.forEach((value, name) => {
    res.setHeader(name, value)
  })
  // A body the handler did not read (a 404, a 413, a refused token) is dropped with the connection
  // rather than read to its end.
  if (unread) res.setHeader('connection', 'close')
  res.end(Buffer.from(await response.arrayBuffer()))
}

/**
 * An Express 5 Router that serves nightshift's HTTP contract by delegating every request to the
 * core's `createHandler`; it only converts requests and responses. Bodies stream into the core, which
 * reads them only for a route and method it serves and stops at `maxBodyBytes`. A request that cannot
 * become a web `Request` (an invalid Host, TRACE) is answered with the contract's JSON (400, 405),
 * never Express's error page, and logged in one line without the query string.
 *
 * @example
 * app.use('/functions/v1', createRouter(jobs, { auth: { tokens: { [process.env.TOKEN!]: '*' } } }))
 */
export function createRouter(jobs: HandlerJobs, options: RouterOptions): Router {
  const { bodyTimeoutMs = 10_000, ...handlerOptions } = options
  if (!Number.isInteger(bodyTimeoutMs) || bodyTimeoutMs < 1) {
    throw new TypeError(
      `createRouter({ bodyTimeoutMs }) must be a whole number of 1 or more, got ${bodyTimeoutMs}`,
    )
  }
  const handler = createHandler(jobs, handlerOptions)
  const router = Router()
  router.use(async (req, res) => {
    const path = req.originalUrl.split('?')[0]?.slice(0, 200)
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const request = toWebRequest(req)
      // GET and HEAD bodies are never read (the core takes none), so nothing would stop the timer.
      if (!req.complete && req.method !== 'GET' && req.method !== 'HEAD') {
        timer = setTimeout(() => {
          jobs.logger.warn('request body too slow', { method: req.method, path, timeoutMs: bodyTimeoutMs })
          refuse(res, 408, 'request_timeout', `the body did not arrive within ${bodyTimeoutMs} ms`)
          req.destroy()
        }, bodyTimeoutMs)
        res.once('close', () => clearTimeout(timer))
        // The limit is on the body's arrival, not on the answer: once it is in, a handler that waits
        // (for a database that hangs, up to its own timeouts) is not answered 408.
        req.once('end', () => clearTimeout(timer))
      }
      const response = await handler(request, { mountPath: req.baseUrl })
      await sendWebResponse(response, res, !req.complete)
    } catch (error) {
      if (error instanceof UnconvertibleRequest) {
        jobs.logger.warn(`request refused: ${error.message}`, { method: req.method.slice(0, 20), path })
        refuse(res, error.status, error.code, error.message)
      } else {
        // Only a failure to write the answer gets here (the core answers every error itself).
        jobs.logger.error('cannot answer the request', { method: req.method.slice(0, 20), path })
        res.destroy()
      }
    } finally {
      clearTimeout(timer)
    }
  })
  return router
}
