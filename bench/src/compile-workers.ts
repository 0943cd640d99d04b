import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** The compiled entry of a worker process (see `compileWorkers`). */
export const compiledWorkerScript = fileURLToPath(new URL('../dist/worker-process.js', import.meta.url))

/**
 * Compiles the benchmark's sources to JavaScript in `bench/dist/`, so that each worker process runs
 * under plain node, as a user's worker does. Under the parent's TypeScript loader (tsx) a library's
 * import cost more memory, and not by the same amount for each: `@nightshift/jobs-core` (with pg and
 * zod) 103 MB RSS under tsx against 62.5 MB under node, graphile-worker 88 against 60 MB. The loader,
 * not the library, set much of the difference in the peak-RSS rows.
 */
export function compileWorkers(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const project = fileURLToPath(new URL('../tsconfig.worker.json', import.meta.url))
  execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' })
}
