import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRouter } from '@nightshift/adapter-express'
import { type AuthOptions, createHandler, createJobs, type Logger } from '@nightshift/jobs-core'
import { contractJobs } from '@nightshift/jobs-core/testing'
import express from 'express'
import {
  contractFunction,
  functionsConfig,
  secrets,
} from '../../packages/adapter-supabase/test/function-environment.js'
import { serveFetchHandler } from '../../packages/jobs-core/test/serve-fetch-handler.js'
import { startDenoFunction } from '../../test-support/deno-function.js'

/** The three HTTP hosts of the contract, each as a chaos test drives it. */
export type HostName = 'core' | 'express' | 'deno'

/** One host serving the contract's jobs on a real port. */
export interface ServedHost {
  name: HostName
  /** The URL the routes sit under: `<base>/contract-echo`, `<base>/health`. */
  base: string
  /** The route prefix a signature leaves out (a signature covers the path after it). */
  basePath: string
  /** Everything the host logged or printed so far: its logger's lines, or the Deno process's output. */
  output(): string
  close(): Promise<void>
}

/**
 * The secrets every host accepts, the Supabase function's names for them: the service role key
 * reaches everything, `CRON_SECRET` only `contract-echo`, and the signing key signs requests.
 */
export const hostSecrets = secrets

/** The auth the Node hosts are given, the same the Deno function reads from its environment. */
const auth: AuthOptions = {
  tokens: { [secrets.SUPABASE_SERVICE_ROLE_KEY]: '*', [secrets.CRON_SECRET]: ['contract-echo'] },
  signingKeys: [secrets.NIGHTSHIFT_SIGNING_KEY],
}

/** How the Deno test function is configured (its `serveJobs` options), so the Node hosts match it. */
const sameAsDenoFunction = { deadlineMs: 20_000, leaseMs: 1_000 }

/** A logger that keeps every line, with its fields, for the secret scan. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${fields === undefined ? '' : JSON.stringify(fields)}`)
  }
  return {
    lines,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
  }
}

async function listen(app: express.Express): Promise<Server> {
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', resolve))
  return server
}

/**
 * Starts one host on `databaseUrl` (already migrated with the contract's jobs): `core` is jobs-core's
 * handler behind node:http, `express` the Express router, `deno` the Supabase function served by real
 * Deno (its own pool on `SUPABASE_DB_URL`). All take the same secrets and deadline.
 *
 * @example
 * const host = await startHost('express', cluster.url('express'))
 * await fetch(`${host.base}/contract-echo`, { method: 'POST', headers, body: '{}' })
 * await host.close()
 */
export async function startHost(name: HostName, databaseUrl: string): Promise<ServedHost> {
  const basePath = name === 'deno' ? '/nightshift' : '/functions/v1'
  if (name === 'deno') {
    const fn = await startDenoFunction(
      contractFunction,
      { ...secrets, SUPABASE_DB_URL: databaseUrl, EFFECTS_DB_URL: databaseUrl },
      { config: functionsConfig },
    )
    return { name, base: `${fn.url}${basePath}`, basePath, output: fn.output, close: fn.kill }
  }
  const { logger, lines } = recordingLogger()
  const jobs = createJobs({
    db: databaseUrl,
    jobs: contractJobs(),
    logger,
    leaseMs: sameAsDenoFunction.leaseMs,
  })
  const options = { auth, deadlineMs: sameAsDenoFunction.deadlineMs }
  if (name === 'core') {
    const served = await serveFetchHandler(createHandler(jobs, { ...options, basePath }))
    return {
      name,
      base: `${served.url}${basePath}`,
      basePath,
      output: () => lines.join('\n'),
      async close() {
        await served.close()
        await jobs.close()
      },
    }
  }
  const app = express()
  app.use(basePath, createRouter(jobs, options))
  const server = await listen(app)
  return {
    name,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}${basePath}`,
    basePath,
    output: () => lines.join('\n'),
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await jobs.close()
    },
  }
}
