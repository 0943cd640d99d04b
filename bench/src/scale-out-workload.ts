import { withFreshDatabase } from './bench-database.js'
import type { BenchLibrary } from './bench-library.js'
import { fillQueue, type Measurement, type Sizes, spawnWorker } from './workloads.js'

/** How many worker processes the scale-out workload runs at once, one measurement each. */
export const scaleOutProcesses = [1, 2, 4] as const

/**
 * Scale-out (opt-in, `--workloads scaleout`): the throughput workload's jobs drained by 1, 2 and 4 worker
 * processes at once against one PostgreSQL, each with the comparable setting (10 in flight). Jobs per
 * second over the whole drain: from the first worker's start to the moment the last one saw the queue
 * empty (the workers' clocks are the same machine's). On 2 cores, PostgreSQL and the workers share the
 * CPU, so this says where the machine, not the library, saturates.
 */
export async function scaleOutWorkload(library: BenchLibrary, sizes: Sizes): Promise<Measurement[]> {
  const results: Measurement[] = []
  for (const processes of scaleOutProcesses) {
    const jobsPerSecond = await withFreshDatabase(`${library.name}_scale${processes}`, async (url) => {
      await fillQueue(library, url, sizes.throughput)
      // Each worker runs until it has run a job and the queue is empty: together they drain it.
      const answers = await Promise.all(
        Array.from(
          { length: processes },
          () =>
            spawnWorker({ library: library.name, url, setting: 'comparable', mode: 'drain', expect: 1 }).done,
        ),
      )
      const started = Math.min(...answers.map((answer) => answer.startedAt ?? Number.POSITIVE_INFINITY))
      const ended = Math.max(...answers.map((answer) => answer.emptyAt ?? 0))
      return (sizes.throughput / (ended - started)) * 1000
    })
    results.push({
      library: library.name,
      workload: `scale-out ${processes} process${processes === 1 ? '' : 'es'}`,
      value: jobsPerSecond,
      unit: 'jobs/s',
    })
  }
  return results
}
