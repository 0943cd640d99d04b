import { withFreshDatabase } from './bench-database.js'
import type { BenchLibrary } from './bench-library.js'
import { drainOverHttp } from './drain-over-http.js'
import { drainWith, fillQueue, type Measurement, type Sizes } from './workloads.js'

/** The test helpers this workload starts PgBouncer and Deno with (loaded at run time, outside `src/`). */
interface PoolerHelpers {
  startPgBouncer(upstream: URL): Promise<{ url: string; stop(): Promise<void> }>
  startDenoFunction(
    entry: string,
    env: Record<string, string>,
    options: { config: string },
  ): Promise<{ url: string; kill(): Promise<void> }>
}

async function helpers(): Promise<PoolerHelpers> {
  // Paths the worker build (tsconfig.worker.json, rootDir src) does not follow: only the parent, under tsx, loads them.
  const pgbouncer = new URL('../../test-support/start-pgbouncer.ts', import.meta.url).href
  const deno = new URL('../../test-support/deno-function.ts', import.meta.url).href
  return { ...(await import(pgbouncer)), ...(await import(deno)) } as PoolerHelpers
}

/** Drains the queue by calling the Deno-served function's queue route until nothing is left. */
async function drainThroughDeno(
  pooledUrl: string,
  directUrl: string,
  library: BenchLibrary,
  tools: PoolerHelpers,
) {
  const fn = await tools.startDenoFunction(
    'bench/functions/noop-queue/index.ts',
    { SUPABASE_DB_URL: pooledUrl },
    { config: 'bench/functions/deno.json' },
  )
  try {
    return await drainOverHttp(`${fn.url}/noop-queue`, directUrl, library.remainingSql)
  } finally {
    await fn.kill()
  }
}

/**
 * Jobs per second drained through PgBouncer in transaction mode (Supabase's pooler on 6543 behaves
 * alike): nightshift by calling a Supabase Edge Function's queue route served by real Deno
 * (`{limit: 1000}` per call, 2 connections), pg-boss by one worker process with its comparable
 * setting. graphile-worker is not run there: its runner holds a connection to LISTEN for new jobs,
 * which a transaction-mode pooler accepts and never delivers to. Opt in with `--workloads pooler`.
 */
export async function poolerWorkload(library: BenchLibrary, sizes: Sizes): Promise<Measurement[]> {
  if (library.name === 'graphile-worker') return []
  const tools = await helpers()
  const count = sizes.pooler
  return withFreshDatabase(`${library.name}_pooler`, async (url) => {
    await fillQueue(library, url, count)
    const pgbouncer = await tools.startPgBouncer(new URL(url))
    try {
      const pooled = pgbouncer.url
      const ms =
        library.name === 'nightshift'
          ? await drainThroughDeno(pooled, url, library, tools)
          : (await drainWith(library, pooled, 'comparable', count)).ms
      return [
        {
          library: library.name,
          workload: 'drain behind PgBouncer',
          value: (count / ms) * 1000,
          unit: 'jobs/s',
        },
      ]
    } finally {
      await pgbouncer.stop()
    }
  })
}
