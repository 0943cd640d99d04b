import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createJobs, defineJob, type JobRecord } from '@nightshift/jobs-core'
import pg from 'pg'

const fixture = fileURLToPath(new URL('./fixtures/hang-in-transaction.ts', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** What `killInsideTransaction` saw, for the test to check. */
export interface KillObservations {
  /** The pid that wrote the `started` marker: the child's, when its handler got inside the transaction. */
  markerPid: number | undefined
  childPid: number | undefined
  /** Rows in `effects` while the child hung inside its transaction, and after kill -9. */
  effectsWhileHanging: number[]
  effectsAfterKill: number[]
  statusWhileHanging: string | undefined
  /** The job after this process ran it again, and the rows in `effects` then. */
  job: JobRecord | undefined
  effectsAfterRerun: number[]
  pid: number
}

/**
 * A child process claims a job whose handler inserts into `effects` inside `ctx.transaction` and hangs
 * before the commit; it is killed with SIGKILL. Then this process runs `process()` until the job (lease
 * 1 s) runs again here and completes. `queueUrl` is what both queues use (direct, or through a pooler);
 * `directUrl` is for the test's own reads. The tables `effects` and `started` have no unique key.
 */
export async function killInsideTransaction(queueUrl: string, directUrl: string): Promise<KillObservations> {
  const bill = defineJob({
    name: 'bill',
    run: (_input, ctx) =>
      ctx.transaction(async (tx) => {
        await tx.query('insert into effects (job_id, pid) values ($1, $2)', [ctx.jobId, process.pid])
        return { pid: process.pid }
      }),
  })
  const jobs = createJobs({ db: queueUrl, jobs: [bill], leaseMs: 1000, maxConnections: 4 })
  const client = new pg.Client({ connectionString: directUrl })
  await client.connect()
  const effects = async () =>
    (await client.query<{ pid: number }>('select pid from effects order by pid')).rows.map((row) => row.pid)
  try {
    await jobs.migrate()
    await client.query('create table effects (job_id bigint not null, pid int not null)')
    await client.query('create table started (job_id bigint not null, pid int not null)')
    const { id } = await jobs.enqueue('bill', {})

    const child = spawn(process.execPath, ['--import', 'tsx', fixture, queueUrl, '1000'], { stdio: 'ignore' })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    for (let i = 0; i < 300; i++) {
      const { rowCount } = await client.query('select 1 from started where job_id = $1', [id])
      if (rowCount) break
      await sleep(100)
    }
    const markerPid = (await client.query<{ pid: number }>('select pid from started')).rows[0]?.pid
    const effectsWhileHanging = await effects()
    const statusWhileHanging = (await jobs.getJob(id))?.status
    child.kill('SIGKILL')
    await exited
    // PostgreSQL rolls back the transaction of the dropped connection (through a pooler: the pooler
    // drops the server connection whose client went away mid-transaction).
    const effectsAfterKill = await effects()

    let completed = 0
    for (let i = 0; i < 100 && completed === 0; i++) {
      completed = (await jobs.process({ limit: 1 })).completed
      if (completed === 0) await sleep(200)
    }
    return {
      markerPid,
      childPid: child.pid,
      effectsWhileHanging,
      effectsAfterKill,
      statusWhileHanging,
      job: await jobs.getJob(id),
      effectsAfterRerun: await effects(),
      pid: process.pid,
    }
  } finally {
    await client.end()
    await jobs.close()
  }
}
