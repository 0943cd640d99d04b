import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { expect, onTestFinished, test } from 'vitest'
import { startPrivatePostgres } from '../private-postgres.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

// A PostgreSQL whose starter died is re-parented to the machine's init, which may reap it a while after
// it exits: until then its pid answers signals as a zombie (state Z), though nothing runs.
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') !== true
  } catch {
    return false
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

test('a cluster left running by a killed test process is stopped and removed by the next start', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test-support/test/fixtures/start-private-postgres-and-hang.ts'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  // Never leave the fixture running when the test fails early (a kill after its exit does nothing).
  onTestFinished(() => void child.kill('SIGKILL'))
  const started = await new Promise<{ port: number; url: string; folder: string }>((resolve, reject) => {
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('\n')) resolve(JSON.parse(output.split('\n')[0] as string))
    })
    child.once('exit', (code) => reject(new Error(`the fixture exited ${code} before starting a cluster`)))
  })
  expect(await answers(started.url)).toBe(true)
  // The crashed run's folder records the child as its owner (what the next start goes by).
  const leftBehind = started.folder
  expect(readFileSync(join(leftBehind, 'owner.pid'), 'utf8')).toBe(String(child.pid))
  const postmaster = Number(readFileSync(join(leftBehind, 'data', 'postmaster.pid'), 'utf8').split('\n')[0])
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
  // The crashed run's PostgreSQL is still up: nothing stopped it.
  expect(await answers(started.url)).toBe(true)

  const cluster = await startPrivatePostgres({ pgCron: true })
  try {
    expect(alive(postmaster)).toBe(false)
    expect(existsSync(leftBehind)).toBe(false)
    const client = new pg.Client({ connectionString: cluster.url() })
    await client.connect()
    try {
      const { rows } = await client.query("select extname from pg_extension where extname = 'pg_cron'")
      expect(rows).toEqual([{ extname: 'pg_cron' }])
    } finally {
      await client.end()
    }
  } finally {
    await cluster.remove()
  }
}, 60_000)
