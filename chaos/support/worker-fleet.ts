import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChaosEvent } from './chaos-event.js'

const workerEntry = fileURLToPath(new URL('./effect-worker.ts', import.meta.url))

/** Options of `startWorkerFleet`. */
export interface WorkerFleetOptions {
  url: string
  /** Worker processes kept running. */
  size: number
  leaseMs: number
  /** Jobs each worker runs at once. */
  concurrency: number
  /** Where each worker's stderr goes (one file per process), to show when one dies on its own. */
  logDir: string
}

/** A worker process that ended without being killed or stopped by the test. */
export interface UnexpectedExit {
  pid: number | undefined
  code: number | null
  signal: string | null
  stderr: string
}

/** `size` worker processes, each killed on demand and replaced by a fresh one. */
export interface WorkerFleet {
  /** Processes started so far (the first `size` and every replacement). */
  readonly started: number
  readonly unexpectedExits: readonly UnexpectedExit[]
  /** SIGKILLs one running worker (at random), waits until it is gone, starts a replacement. */
  killOne(): Promise<ChaosEvent>
  /** SIGTERMs every worker (a graceful stop) and waits for them to exit. */
  stop(): Promise<void>
}

interface Member {
  child: ChildProcess
  exited: Promise<void>
  ending: boolean
}

/**
 * Starts `size` real `node` processes running jobs-core's worker on the `chaos-effect` job
 * (./effect-worker.ts).
 *
 * @example
 * const fleet = startWorkerFleet({ url, size: 4, leaseMs: 5_000, concurrency: 8, logDir })
 * const event = await fleet.killOne()
 * await fleet.stop()
 */
export function startWorkerFleet(options: WorkerFleetOptions): WorkerFleet {
  const members: Member[] = []
  const unexpectedExits: UnexpectedExit[] = []
  let started = 0

  const startOne = () => {
    const log = join(options.logDir, `worker-${++started}.log`)
    const fd = openSync(log, 'w')
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', workerEntry, options.url, String(options.leaseMs), String(options.concurrency)],
      { stdio: ['pipe', 'ignore', fd] },
    )
    closeSync(fd)
    const member: Member = {
      child,
      ending: false,
      exited: new Promise((resolve) =>
        child.once('exit', (code, signal) => {
          if (!member.ending) {
            unexpectedExits.push({
              pid: child.pid,
              code,
              signal,
              stderr: readFileSync(log, 'utf8').slice(-2000),
            })
          }
          resolve()
        }),
      ),
    }
    members.push(member)
  }
  for (let i = 0; i < options.size; i++) startOne()

  return {
    get started() {
      return started
    },
    unexpectedExits,
    async killOne() {
      const running = members.filter((member) => member.child.exitCode === null && !member.ending)
      const victim = running[Math.floor(Math.random() * running.length)]
      if (!victim) throw new Error('no running worker to kill')
      victim.ending = true
      const begin = Date.now()
      victim.child.kill('SIGKILL')
      const end = Date.now()
      await victim.exited
      members.splice(members.indexOf(victim), 1)
      startOne()
      return { kind: 'kill', pid: victim.child.pid, begin, end }
    },
    async stop() {
      for (const member of members) {
        member.ending = true
        member.child.kill('SIGTERM')
      }
      await Promise.all(members.map((member) => member.exited))
      // A graceful stop ends with 0; anything else is a worker that failed on its way out.
      for (const { child } of members) {
        if (child.exitCode !== 0) {
          unexpectedExits.push({ pid: child.pid, code: child.exitCode, signal: child.signalCode, stderr: '' })
        }
      }
    },
  }
}
