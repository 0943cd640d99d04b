import { afterAll, beforeAll, expect, test } from 'vitest'
import { type PrivatePostgres, startPrivatePostgres } from '../test-support/private-postgres.js'
import { runChaos } from './support/chaos-run.js'
import { chaosSummary } from './support/chaos-summary.js'
import { byScale } from './support/scale.js'

// The database is restarted mid-run, so it is one of this file's own, never the machine's.
let postgres: PrivatePostgres
beforeAll(async () => {
  postgres = await startPrivatePostgres()
})
afterAll(() => postgres?.remove())

const jobs = byScale(2_000, 40_000)
const workers = byScale(3, 4)
const concurrency = 8
// Smoke: one kill, then the restart. Full: 24 kills with the restart halfway.
const steps = byScale(2, 25)
const restartAt = byScale(1, 12)

test(
  `${jobs} jobs, ${workers} worker processes, ${steps - 1} × kill -9 and a database restart: none lost, each effect once, every extra run cut off by a kill or the restart`,
  async () => {
    const result = await runChaos({
      postgres,
      jobs,
      workers,
      concurrency,
      leaseMs: 5_000,
      steps,
      step: async (index, fleet) => {
        if (index !== restartAt) return fleet.killOne()
        // Fast shutdown cuts every session; the event ends once the server has exited.
        const begin = Date.now()
        await postgres.stop('fast')
        const end = Date.now()
        await postgres.start()
        return { kind: 'restart', begin, end }
      },
    })
    console.log(chaosSummary('kill -9 of workers and a database restart', result))
    const { report, events } = result

    expect(result.unexpectedExits).toEqual([])
    expect(result.stalled).toBe(false)
    expect(events.map((event) => event.kind).filter((kind) => kind === 'restart')).toHaveLength(1)
    // Nothing lost: every job completed.
    expect(report.statuses).toEqual({ completed: jobs })
    expect(report.lost).toBe(0)
    // Each effect once (written with ctx.transaction, no unique key to hide a second one).
    expect(report.effects).toBe(jobs)
    expect(report.jobsWithoutOneEffect).toBe(0)
    expect(report.effectsWithoutRun).toBe(0)
    // Every run beyond a job's first was cut off: it started before a kill of its own process or the
    // restart, which began before the run that landed the effect.
    expect(report.unexplained).toEqual([])
    expect(report.cutByEvent.reduce((sum, n) => sum + n, 0)).toBe(report.duplicates)
    // A killed worker had at most `concurrency` runs in flight; the restart at most all workers' runs.
    events.forEach((event, index) => {
      expect(report.cutByEvent[index]).toBeLessThanOrEqual(
        event.kind === 'kill' ? concurrency : workers * concurrency,
      )
    })
    // The chaos reached jobs in flight (or the test would prove nothing).
    expect(report.reclaimed).toBeGreaterThan(0)
  },
  byScale(180_000, 1_800_000),
)
