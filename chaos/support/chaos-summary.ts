import type { ChaosRunResult } from './chaos-run.js'
import { chaosScale } from './scale.js'

/**
 * One line of figures for docs/reliability.md: scale, jobs, events by kind, worker processes, lost,
 * duplicates (and how many jobs were claimed again), effects.
 *
 * @example
 * console.log(chaosSummary('kills and a restart', result))
 */
export function chaosSummary(title: string, { events, report, workerProcesses }: ChaosRunResult): string {
  const count = (kind: string) => events.filter((event) => event.kind === kind).length
  const cutBy = (kind: string) =>
    events.reduce((sum, event, index) => sum + (event.kind === kind ? (report.cutByEvent[index] ?? 0) : 0), 0)
  return [
    `chaos (${chaosScale}) ${title}:`,
    `jobs ${report.jobs}`,
    `worker processes ${workerProcesses}`,
    `kills ${count('kill')}`,
    `database restarts ${count('restart')}`,
    `connection cuts ${count('terminate')}`,
    `lost ${report.lost}`,
    `runs ${report.runs}`,
    `duplicates ${report.duplicates} (in flight at a kill ${cutBy('kill')}, at a restart ${cutBy('restart')}, at a cut ${cutBy('terminate')}; unexplained ${report.unexplained.length})`,
    `jobs claimed again ${report.reclaimed}`,
    `effects ${report.effects} (jobs without exactly one: ${report.jobsWithoutOneEffect})`,
  ].join(', ')
}
