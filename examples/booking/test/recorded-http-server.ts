import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request a local protocol server received. */
export interface RecordedRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: string
}

/** An answer a test programs for the next matching request (429, 500, 400 on demand). */
export interface ProgrammedAnswer {
  status: number
  body: unknown
  /** Wait this long before answering (to make runs overlap). */
  delayMs?: number
}

/** A local HTTP server on an ephemeral port that records requests; the handler decides the answer. */
export async function startRecordedServer(
  handle: (request: RecordedRequest) => Promise<ProgrammedAnswer> | ProgrammedAnswer,
): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = []
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const url = new URL(req.url ?? '/', 'http://local')
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    }
    requests.push(recorded)
    const answer = await handle(recorded)
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs))
    res.writeHead(answer.status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(answer.body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
