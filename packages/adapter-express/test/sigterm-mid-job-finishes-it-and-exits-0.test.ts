import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createJobs, defineJob } from '@nightshift/jobs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

const fixture = fileURLToPath(new URL('./fixtures/serve-slow-job.ts', import.meta.url))
const root = fileURLToPath(new URL('../../../', import.meta.url))

let db: TestDatabase
// The test's own view of the queue: it enqueues and reads, it never runs the job.
const definitions = [defineJob({ name: 'slow-job', input: z.object({}), run: () => null })] as const
let client: ReturnType<typeof createJobs<typeof definitions>>
let child: ChildProcess | undefined

beforeAll(async () => {
  db = await createTestDatabase('adapter_express_shutdown')
  client = createJobs({ db: db.url, jobs: definitions })
  await client.migrate()
})

afterAll(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL')
  await client?.close()
  await db?.drop()
})

function start(jobMs = 1500): Promise<{ url: string; exited: Promise<number | null>; output: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture, db.url, String(jobMs)], {
    cwd: root,
    stdio: 'pipe',
  })
  child = proc
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  let output = ''
  return new Promise((resolve, reject) => {
    proc.stderr?.on('data', (chunk) => {
      output += chunk
    })
    proc.stdout?.on('data', (chunk) => {
      output += chunk
      const match = /listening (http:\/\/\S+)/.exec(output)
      if (match?.[1]) resolve({ url: match[1], exited, output: () => output })
    })
    proc.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${output}`)))
  })
}

async function waitForStatus(id: string, status: string): Promise<void> {
  for (;;) {
    const job = await client.getJob(id)
    if (job?.status === status) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('runWithServer', () => {
  it('takes copies of one signal sent together (a Ctrl-C relayed by npm) as one: the job finishes, exit 0', async () => {
    const { exited, output } = await start(5000)
    const { id } = await client.enqueue('slow-job', {})
    await waitForStatus(String(id), 'processing')
    child?.kill('SIGINT')
    // Signals sent at once coalesce in the kernel; the copies npm relays come after the first is handled.
    while (!output().includes('SIGINT: finishing')) await new Promise((resolve) => setTimeout(resolve, 10))
    child?.kill('SIGINT')
    child?.kill('SIGINT')
    expect(await exited).toBe(0)
    expect((await client.getJob(String(id)))?.status).toBe('completed')
  })

  it('on SIGTERM mid-job refuses new work, finishes the running job, closes and exits 0', async () => {
    const { url, exited } = await start()
    const { id } = await client.enqueue('slow-job', {})
    await waitForStatus(String(id), 'processing')
    child?.kill('SIGTERM')
    // New HTTP work is refused (503 on a kept-alive socket, or the listener is already gone).
    const refused = await fetch(`${url}/functions/v1/health`).then(
      (response) => response.status,
      () => 'connection refused',
    )
    expect([503, 'connection refused']).toContain(refused)
    expect(await exited).toBe(0)
    const job = await client.getJob(String(id))
    expect(job?.status).toBe('completed')
    expect(job?.result).toEqual({ finished: true })
  })
  it('a second signal exits 1 at once without waiting for the running job', async () => {
    const { exited } = await start(60_000)
    const { id } = await client.enqueue('slow-job', {})
    await waitForStatus(String(id), 'processing')
    child?.kill('SIGTERM')
    // Copies of one Ctrl-C (relayed by npm) arrive within milliseconds; a second press comes later.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    child?.kill('SIGINT')
    expect(await exited).toBe(1)
    // The job was not finished; its lease hands it back to pending later, so it is not lost.
    expect((await client.getJob(String(id)))?.status).toBe('processing')
  })
})
