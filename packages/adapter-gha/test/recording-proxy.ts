import { createServer, type IncomingHttpHeaders, request } from 'node:http'
import type { AddressInfo } from 'node:net'

/** An answer the proxy gives itself instead of passing the request on. */
export interface InjectedFailure {
  status: number
  headers?: Record<string, string>
}

/** A real HTTP server in front of another, for counting what the step sent and making a gateway in trouble. */
export interface RecordingProxy {
  /** `http://127.0.0.1:<port>`: paths are passed on as they are. */
  url: string
  /** Each request seen, as `METHOD /path`. Empty it between runs to count one run's requests. */
  seen: string[]
  /** The headers of the last request seen. */
  lastHeaders(): IncomingHttpHeaders
  /** The next requests are answered with these statuses (body `upstream trouble`) and not passed on. */
  failNext: InjectedFailure[]
  close(): Promise<void>
}

/**
 * Starts a proxy in front of `target` (an origin, `http://host:port`): it records every request and
 * passes it on with its method, headers and body, except that it answers the next requests with
 * `failNext`'s statuses itself, as a gateway in trouble does.
 *
 * @example
 * const proxy = await startRecordingProxy(server.url)
 * proxy.failNext.push({ status: 500 })
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target)
  const seen: string[] = []
  const failNext: InjectedFailure[] = []
  let lastHeaders: IncomingHttpHeaders = {}
  const server = createServer((incoming, answer) => {
    seen.push(`${incoming.method} ${incoming.url}`)
    lastHeaders = incoming.headers
    const failure = failNext.shift()
    if (failure) {
      incoming.resume()
      answer
        .writeHead(failure.status, { 'content-type': 'text/plain', ...failure.headers })
        .end('upstream trouble')
      return
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (response) => {
        answer.writeHead(response.statusCode ?? 502, response.headers)
        response.pipe(answer)
      },
    )
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    lastHeaders: () => lastHeaders,
    failNext,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
