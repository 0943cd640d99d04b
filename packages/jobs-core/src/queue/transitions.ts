/** A job's status. */
export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled'

/**
 * What a transition does to `attempts`, the count the retry policy reads (`attempts >= max_attempts`
 * ends a failing job `failed`). It is never a fencing token: that is the run number, `runs`.
 * - `spent`: plus one.
 * - `kept`: unchanged.
 * - `given back`: minus one (never below 0): the run did not use up an attempt.
 * - `reset`: 0, a fresh set of `max_attempts`.
 */
export type AttemptsRule = 'spent' | 'kept' | 'given back' | 'reset'

/**
 * How a transition treats the run token and the lease (`locked_by`, `locked_until`). The token is the
 * run's number, `runs`: each claim adds one and no transition lowers it, so no two runs of a job share
 * it (migration 0007).
 * - `new`: the claim takes the next run number, and the lease.
 * - `fenced`: written only while the row still runs this run (`runs`) under this worker's lock
 *   (`locked_by`, which the database keeps null outside `processing`); otherwise nothing is written.
 * - `unfenced`: by the queue's owner or its reaper, whatever run holds the row; it clears the lease,
 *   so the run that held it can write nothing afterwards.
 */
export type TokenRule = 'new' | 'fenced' | 'unfenced'

/** One status change of a job. */
export interface Transition {
  /** What makes it happen. */
  readonly when: string
  /** Statuses it starts from; empty for a job not yet written. */
  readonly from: readonly JobStatus[]
  /** Statuses it can end in; empty for a row deleted. */
  readonly to: readonly JobStatus[]
  readonly attempts: AttemptsRule
  readonly token: TokenRule
  /** The file in `queue/` whose one statement writes it. */
  readonly statement: string
  /** Why the rule is what it is. */
  readonly why: string
}

/**
 * Every status change of a job, with what it does to `attempts` and how it is fenced. This is the
 * state machine: the statements in `queue/` take their attempts arithmetic (`attemptsAfter`), their
 * fence (`heldRun`) and their new token (`runsAfterClaim`) from here, and `docs/job-states.md` shows this
 * table as it is (a test compares them).
 *
 * The one rule for "back to pending": a run hands back an attempt only when nothing about the job
 * used it up (it never started, the worker interrupted it, or the handler asked to run later); a run
 * whose handler may have run and failed (a throw, a timeout, a worker that died under it) keeps it
 * spent; only a person (`retry()`) resets the count.
 *
 * @example
 * transitions.expire.attempts // 'kept': the lost run may have run its handler
 */
export const transitions = {
  enqueue: {
    when: '`enqueue` / `enqueueMany`, a tick or a trigger inserts the row',
    from: [],
    to: ['pending'],
    attempts: 'reset',
    token: 'unfenced',
    statement: 'insert-jobs.ts',
    why: 'A new job has used none of its attempts and has had no run (`runs` 0).',
  },
  claim: {
    when: 'a worker, `process()` or a trigger claims a due job',
    from: ['pending'],
    to: ['processing'],
    attempts: 'spent',
    token: 'new',
    statement: 'claim-jobs.ts, claim-job-by-id.ts, complete-and-claim-jobs.ts',
    why: 'The attempt is counted when the run starts, so a run that kills its worker still counts (see expire).',
  },
  extend: {
    when: 'the heartbeat (every third of the lease) and `ctx.heartbeat()`',
    from: ['processing'],
    to: ['processing'],
    attempts: 'kept',
    token: 'fenced',
    statement: 'extend-leases.ts',
    why: 'A run missing from the answer lost its lease or token: its handler is aborted through `ctx.signal`.',
  },
  progress: {
    when: '`ctx.progress(value)`',
    from: ['processing'],
    to: ['processing'],
    attempts: 'kept',
    token: 'fenced',
    statement: 'record-progress.ts',
    why: 'Only the run holding the job may say how far it got; the write also extends its lease. A run that finds no row is aborted as at a heartbeat.',
  },
  complete: {
    when: 'the handler returned a result the database can store, or `ctx.transaction(fn)` commits `fn`’s writes with it',
    from: ['processing'],
    to: ['completed'],
    attempts: 'kept',
    token: 'fenced',
    statement: 'complete-jobs.ts, complete-and-claim-jobs.ts',
    why: 'A run that lost its lease must not overwrite the row of the run that replaced it; in `ctx.transaction` a fence that matches no row rolls back the run’s writes too.',
  },
  failAndRetry: {
    when: 'the handler threw or timed out',
    from: ['processing'],
    to: ['pending', 'failed'],
    attempts: 'kept',
    token: 'fenced',
    statement: 'fail-job.ts',
    why: 'The attempt was spent at the claim; `pending` after the backoff while attempts < max_attempts, else `failed` (the dead-letter set).',
  },
  failFinal: {
    when: '`JobFailError`, `JobCancelError`, a payload that no longer parses, a job this process does not define, a result the database cannot store',
    from: ['processing'],
    to: ['failed', 'cancelled'],
    attempts: 'kept',
    token: 'fenced',
    statement: 'fail-job.ts',
    why: 'Retrying cannot help (or, for an unstorable result, would run the handler’s effects again): the job ends now.',
  },
  snooze: {
    when: 'the handler threw `JobSnoozeError(ms)`',
    from: ['processing'],
    to: ['pending'],
    attempts: 'given back',
    token: 'fenced',
    statement: 'release-jobs.ts',
    why: 'The handler asked to run later; that is not a failure.',
  },
  release: {
    when: 'the worker hands back a run it never started (prefetched, on stop or gone stale) or interrupted itself (stop timeout, `process()` aborted)',
    from: ['processing'],
    to: ['pending'],
    attempts: 'given back',
    token: 'fenced',
    statement: 'release-jobs.ts',
    why: 'The worker’s decision, not the job’s failure; due again at once.',
  },
  expire: {
    when: 'the lease reaper finds `locked_until` passed (worker killed, connection lost, host cut it off)',
    from: ['processing'],
    to: ['pending', 'failed'],
    attempts: 'kept',
    token: 'unfenced',
    statement: 'release-expired-leases.ts',
    why: 'The handler may have run: a job that kills its worker every time ends `failed` after max_attempts instead of looping forever.',
  },
  cancel: {
    when: '`jobs.cancel(id)`, `jobs.cancelJobs(filter)`',
    from: ['pending', 'processing'],
    to: ['cancelled'],
    attempts: 'kept',
    token: 'unfenced',
    statement: 'manage-jobs.ts, manage-matching-jobs.ts',
    why: 'A running run finds its lease gone at its next heartbeat, is aborted, and writes nothing.',
  },
  manualRetry: {
    when: '`jobs.retry(id)`, `jobs.retryJobs(filter)` (and the dashboard’s Retry)',
    from: ['failed', 'cancelled'],
    to: ['pending'],
    attempts: 'reset',
    token: 'unfenced',
    statement: 'manage-jobs.ts, manage-matching-jobs.ts',
    why: 'A person decided the cause is fixed: the job gets max_attempts fresh attempts. Safe because the token is the run number, which the next claim raises, never `attempts`.',
  },
  purge: {
    when: '`jobs.purge({ olderThan })`',
    from: ['completed', 'failed', 'cancelled'],
    to: [],
    attempts: 'kept',
    token: 'unfenced',
    statement: 'manage-jobs.ts',
    why: 'History only; `failed` only when asked (the dead-letter set). No run holds a finished job.',
  },
} as const satisfies Record<string, Transition>

/** A transition's name. */
export type TransitionName = keyof typeof transitions

/**
 * `attempts` after a transition, as SQL over the row's column (`j.attempts`); the column itself when
 * the transition keeps it.
 */
export function attemptsAfter(name: TransitionName, column: string): string {
  switch (transitions[name].attempts) {
    case 'spent':
      return `${column} + 1`
    case 'given back':
      return `greatest(${column} - 1, 0)`
    case 'reset':
      return '0'
    case 'kept':
      return column
  }
}

/**
 * The fence of every write of a run, as SQL: the row still runs this run (`runs`) under this
 * worker's lock. `locked_by` is null outside `processing` (migration 0004), so the fence also says
 * the row is processing, without a status condition that could lead a generic plan away from the
 * primary key. `alias` is the table's alias with its dot (`j.`), or empty.
 */
export function heldRun(alias: string, run: string, worker: string): string {
  return `${alias}runs = ${run} and ${alias}locked_by = ${worker}`
}

/** The run number a claim writes, as SQL over the row (`alias` as for `heldRun`): its new token. */
export function runsAfterClaim(alias: string): string {
  return `${alias}runs + 1`
}
