import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * Supabase's API gateway in small, for tests: `/functions/v1/<name>/rest?query` is forwarded to the
 * function `<name>` as `/<name>/rest?query`, as a deployed function sees it, with method, headers and
 * body as sent (`verify_jwt = false`: the function checks its own secrets). An unknown name is 404.
 */
export async function startFunctionsGateway(functions: Record<string, string>) {
  const targets = new Map(Object.entries(functions))
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway')
    const match = /^\/functions\/v1\/([^/]+)(\/.*)?$/.exec(url.pathname)
    const target = match?.[1] === undefined ? undefined : targets.get(decodeURIComponent(match[1]))
    if (!match || target === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ code: 'NOT_FOUND', message: 'Requested function was not found' }))
      return
    }
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (name === 'host' || name === 'connection' || value === undefined) continue
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
    }
    try {
      const response = await fetch(`${target}/${match[1]}${match[2] ?? ''}${url.search}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
      })
      const body = Buffer.from(await response.arrayBuffer())
      const answer: Record<string, string> = {}
      response.headers.forEach((value, name) => {
        if (name !== 'content-encoding' && name !== 'transfer-encoding' && name !== 'content-length')
          answer[name] = value
      })
      res.writeHead(response.status, answer)
      res.end(body)
    } catch {
      // The function's process is gone (killed): the gateway answers as Supabase's does for a crash.
      res.writeHead(502, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ code: 'BOOT_ERROR', message: 'Function failed to respond' }))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    /** What `SUPABASE_URL` is for a caller: functions at `<url>/functions/v1/<name>`. */
    url: `http://127.0.0.1:${port}`,
    /** Points `name` at another process (a function restarted after a crash). */
    route(name: string, target: string) {
      targets.set(name, target)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
