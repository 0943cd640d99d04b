/**
 * One thing the chaos did to the workers, with when it happened (`Date.now()` in the test process, the
 * clock the workers' run records use too): it began at `begin` and was over at `end`. A run it may have
 * cut off started before `end`; the run that replaced it started after `begin`.
 *
 * @example
 * const event: ChaosEvent = { kind: 'kill', pid: child.pid, begin: before, end: Date.now() }
 */
export interface ChaosEvent {
  /** `kill`: SIGKILL of one worker process; `restart`: the database restarted; `terminate`: `pg_terminate_backend` on every worker backend. */
  kind: 'kill' | 'restart' | 'terminate'
  /** The killed worker's pid (`kill` only: the others reach every worker). */
  pid?: number
  begin: number
  end: number
}

/** Whether `event` reaches the runs of worker process `pid`. */
export function reaches(event: ChaosEvent, pid: number): boolean {
  return event.kind !== 'kill' || event.pid === pid
}
