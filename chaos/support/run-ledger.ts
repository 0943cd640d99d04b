import pg from 'pg'
import { type ChaosEvent, reaches } from './chaos-event.js'

/** A run that did not land its effect and that no chaos event explains. */
export interface UnexplainedRun {
  jobId: string
  pid: number
  startedMs: number
  /** When the run that landed the job's effect started (undefined: none did). */
  landedStartedMs: number | undefined
}

/** What a chaos run left in the database, checked against what the chaos did. */
export interface LedgerReport {
  jobs: number
  /** Jobs by status; every one should be `completed`. */
  statuses: Record<string, number>
  /** Jobs that did not complete. */
  lost: number
  /** Jobs claimed more than once (`attempts` > 1): the chaos reached them. */
  reclaimed: number
  /** Handler runs recorded in `chaos.runs`. */
  runs: number
  /** Runs of a job beyond its first. */
  duplicates: number
  /** Rows in `chaos.effects` (one per job when each effect landed once). */
  effects: number
  /** Jobs with other than exactly one effect. */
  jobsWithoutOneEffect: number
  /** Effects whose run wrote no run row (should be none: every run records itself first). */
  effectsWithoutRun: number
  /** Runs that landed nothing and started before no event that reached them. */
  unexplained: UnexplainedRun[]
  /** For each event (in order), the runs it cut off: each such run is blamed on the first event after its start. */
  cutByEvent: number[]
}

/**
 * Reads the queue and the side tables after a chaos run and accounts for every run: each job should
 * have completed with exactly one effect, and every run that did not land its job's effect must have
 * started before an event that reached its process (a kill of that process, a database restart, cut
 * connections) which began before the job's landing run started. Such a run was in flight at the event.
 *
 * @example
 * const report = await readLedger(url, events)
 * expect(report.unexplained).toEqual([])
 */
export async function readLedger(url: string, events: readonly ChaosEvent[]): Promise<LedgerReport> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const statusRows = await client.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from nightshift.jobs group by status',
    )
    const reclaimedRows = await client.query<{ n: number }>(
      'select count(*)::int as n from nightshift.jobs where attempts > 1',
    )
    const runRows = await client.query<{ job_id: string; run_key: string; pid: number; started_ms: string }>(
      'select job_id, run_key, pid, started_ms from chaos.runs',
    )
    const effectRows = await client.query<{ job_id: string; run_key: string }>(
      'select job_id, run_key from chaos.effects',
    )
    const statuses = Object.fromEntries(statusRows.rows.map((row) => [row.status, row.n]))
    const jobs = statusRows.rows.reduce((sum, row) => sum + row.n, 0)

    const effectsPerJob = new Map<string, number>()
    const landedKeys = new Set<string>()
    for (const effect of effectRows.rows) {
      effectsPerJob.set(effect.job_id, (effectsPerJob.get(effect.job_id) ?? 0) + 1)
      landedKeys.add(effect.run_key)
    }
    const runs = runRows.rows.map((row) => ({
      jobId: row.job_id,
      runKey: row.run_key,
      pid: row.pid,
      startedMs: Number(row.started_ms),
    }))
    const landedStart = new Map<string, number>()
    for (const run of runs) if (landedKeys.has(run.runKey)) landedStart.set(run.jobId, run.startedMs)
    const runKeys = new Set(runs.map((run) => run.runKey))

    const ordered = [...events].sort((a, b) => a.end - b.end)
    const cutByEvent = new Array<number>(ordered.length).fill(0)
    const unexplained: UnexplainedRun[] = []
    for (const run of runs) {
      if (landedKeys.has(run.runKey)) continue
      const landedStartedMs = landedStart.get(run.jobId)
      const cause = ordered.findIndex(
        (event) =>
          reaches(event, run.pid) &&
          run.startedMs < event.end &&
          landedStartedMs !== undefined &&
          event.begin <= landedStartedMs,
      )
      if (cause === -1)
        unexplained.push({ jobId: run.jobId, pid: run.pid, startedMs: run.startedMs, landedStartedMs })
      else cutByEvent[cause] = (cutByEvent[cause] ?? 0) + 1
    }
    const jobsRun = new Set(runs.map((run) => run.jobId)).size
    return {
      jobs,
      statuses,
      lost: jobs - (statuses.completed ?? 0),
      reclaimed: reclaimedRows.rows[0]?.n ?? 0,
      runs: runs.length,
      duplicates: runs.length - jobsRun,
      effects: effectRows.rows.length,
      jobsWithoutOneEffect: jobs - [...effectsPerJob.values()].filter((n) => n === 1).length,
      effectsWithoutRun: effectRows.rows.filter((effect) => !runKeys.has(effect.run_key)).length,
      unexplained,
      // Reported in the events' given order.
      cutByEvent: events.map((event) => cutByEvent[ordered.indexOf(event)] ?? 0),
    }
  } finally {
    await client.end()
  }
}
