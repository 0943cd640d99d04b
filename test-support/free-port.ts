import { createServer } from 'node:net'

/**
 * A TCP port on 127.0.0.1 that nothing listened on a moment ago (the kernel's pick). Another process
 * may take it before the caller listens, so a caller that can retry on "address in use" should.
 *
 * @example
 * const port = await freePort()
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * Whether `port` on 127.0.0.1 can be listened on now.
 *
 * @example
 * const port = (await portIsFree(5433)) ? 5433 : await freePort()
 */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
