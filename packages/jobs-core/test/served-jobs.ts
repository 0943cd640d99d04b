import { type AnyJobDefinition, createJobs, type Handler, type Logger } from '@nightshift/jobs-core'
import pg from 'pg'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { type Exchange, serveFetchHandler } from './serve-fetch-handler.js'

/** A migrated queue in a database of its own, an admin client on it, and its handler on a real port. */
export interface ServedJobs<Definitions extends readonly AnyJobDefinition[]> {
  db: TestDatabase
  jobs: ReturnType<typeof createJobs<Definitions>>
  admin: pg.Client
  server: Awaited<ReturnType<typeof serveFetchHandler>>
  /** Closes the server, the admin client and the queue, then drops the database. */
  close(): Promise<void>
}

/**
 * The setup every handler test shares: a fresh database, `createJobs` with `definitions`, migrated, an
 * admin client, and the handler `handlerOf` builds served by node:http on an ephemeral port.
 *
 * @example
 * let served: ServedJobs<typeof definitions>
 * beforeAll(async () => {
 *   served = await serveJobs('handler_auth', definitions, (jobs) => createHandler(jobs, options))
 * })
 * afterAll(() => served?.close())
 */
export async function serveJobs<const Definitions extends readonly AnyJobDefinition[]>(
  label: string,
  definitions: Definitions,
  handlerOf: (jobs: ReturnType<typeof createJobs<Definitions>>, admin: pg.Client) => Handler,
  options: { logger?: Logger; onExchange?: (exchange: Exchange) => void } = {},
): Promise<ServedJobs<Definitions>> {
  const db = await createTestDatabase(label)
  const jobs = createJobs({ db: db.url, jobs: definitions, logger: options.logger })
  const admin = new pg.Client({ connectionString: db.url })
  let server: ServedJobs<Definitions>['server'] | undefined
  const close = async () => {
    await server?.close()
    await admin.end().catch(() => {})
    await jobs.close()
    await db.drop()
  }
  try {
    await jobs.migrate()
    await admin.connect()
    server = await serveFetchHandler(handlerOf(jobs, admin), { onExchange: options.onExchange })
    return { db, jobs, admin, server, close }
  } catch (error) {
    await close()
    throw error
  }
}
