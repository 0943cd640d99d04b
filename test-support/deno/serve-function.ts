// Runs one Supabase Edge Function the way the Edge runtime does, for tests, in real Deno: the function's
// module calls `Deno.serve(handler)`, and the runtime decides where it listens (here 127.0.0.1 on a
// free port, printed as `listening <port>`). Before the runtime stops an isolate it dispatches
// `beforeunload`; this launcher does the same when it receives SIGTERM, and keeps running.
// Usage: deno run --allow-net --allow-env --allow-read --allow-sys serve-function.ts <function index.ts>

interface DenoHost {
  args: string[]
  cwd(): string
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown
  addSignalListener(signal: 'SIGTERM', listener: () => void): void
}

const deno = (globalThis as unknown as { Deno: DenoHost }).Deno
const serve = deno.serve.bind(deno)
Object.assign(deno, {
  serve: (handler: (request: Request) => Promise<Response>) =>
    serve(
      {
        hostname: '127.0.0.1',
        port: 0,
        onListen: ({ port }) => console.log(`listening ${port}`),
      },
      handler,
    ),
})
deno.addSignalListener('SIGTERM', () => {
  dispatchEvent(new Event('beforeunload'))
  console.log('beforeunload dispatched')
})
const entry = deno.args[0]
if (!entry) throw new Error('usage: serve-function.ts <path of the function index.ts>')
await import(new URL(entry, `file://${deno.cwd()}/`).href)

export {}
