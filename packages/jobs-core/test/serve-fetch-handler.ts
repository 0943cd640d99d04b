import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the bridge served, as it arrived, and the status it got. */
export interface Exchange {
  method: string
  path: string
  headers: Headers
  body: string
  status: number
}

/** Test-only bridge: a real node:http server on an ephemeral port that answers through a Fetch handler. */
export async function serveFetchHandler(
  handler: (request: Request) => Promise<Response>,
  options: { onExchange?: (exchange: Exchange) => void } = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(async (incoming, outgoing) => {
    try {
      const request = await toRequest(incoming)
      const requestBody = request.method === 'GET' ? '' : await request.clone().text()
      const response = await handler(request)
      options.onExchange?.({
        method: request.method,
        path: new URL(request.url).pathname,
        headers: request.headers,
        body: requestBody,
        status: response.status,
      })
      outgoing.writeHead(response.status, Object.fromEntries(response.headers))
      outgoing.end(Buffer.from(await response.arrayBuffer()))
    } catch (error) {
      outgoing.writeHead(599)
      outgoing.end(String(error))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function toRequest(incoming: IncomingMessage): Promise<Request> {
  const headers = new Headers()
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.set(name, value)
  }
  const chunks: Buffer[] = []
  for await (const chunk of incoming) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  const method = incoming.method ?? 'GET'
  return new Request(`http://${incoming.headers.host ?? 'localhost'}${incoming.url ?? '/'}`, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
  })
}
