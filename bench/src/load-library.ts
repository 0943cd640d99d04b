import type { BenchLibrary } from './bench-library.js'

/**
 * Loads the module of one library only. A worker process imports nothing else of the benchmark's
 * libraries, so its peak RSS is that library's own and not the sum of all three.
 */
export async function loadLibrary(name: string): Promise<BenchLibrary> {
  if (name === 'nightshift') return (await import('./nightshift-library.js')).nightshiftLibrary
  if (name === 'graphile-worker') return (await import('./graphile-library.js')).graphileLibrary
  if (name === 'pg-boss') return (await import('./pgboss-library.js')).pgBossLibrary
  throw new Error(`no benchmark library named ${JSON.stringify(name)}`)
}
