import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('busy_heap')
})
afterAll(() => db?.drop())

const script = fileURLToPath(new URL('../scripts/measure-busy-worker-heap.ts', import.meta.url))

// Regression: every pass of the loop with all slots busy chained one more promise on "a handler
// finished" (~700 bytes a pass); with a handler that never returns, the heap grew without bound.
// The script polls every millisecond, so the old loop grew by megabytes within these seconds.
test('a worker whose slots are all busy on hung handlers keeps a flat heap', async () => {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script, '--url', db.url, '--seconds', '8', '--every', '2'],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stdout}`))))
  })
  const lines = output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { second?: number; heapUsed?: number; growth?: number })
  const samples = lines.filter((line) => line.second !== undefined)
  expect(samples.length).toBe(5)
  // From the second sample on (the first may still hold start-up garbage that a full GC keeps).
  const heaps = samples.slice(1).map((sample) => sample.heapUsed ?? 0)
  expect(Math.max(...heaps) - Math.min(...heaps)).toBeLessThan(1_000_000)
}, 120_000)
