// Measures a worker's heap while every slot is busy with a handler that never returns: the loop keeps
// passing (every `--poll` ms) and must not leave anything behind per pass.
//
//   node --expose-gc --import tsx packages/jobs-core/scripts/measure-busy-worker-heap.ts \
//     --url postgres://postgres@127.0.0.1:5432/postgres --seconds 600 --every 60 --poll 1
//
// Prints one JSON line per sample (seconds since start, heap used after a full GC, in bytes) and a
// last line with the growth from the first sample to the last. It works in its own schema and drops
// it at the end.
import { parseArgs } from 'node:util'
import { createJobs, defineJob } from '../src/index.js'

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    seconds: { type: 'string', default: '60' },
    every: { type: 'string', default: '5' },
    poll: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '2' },
  },
})
const seconds = Number(values.seconds)
const every = Number(values.every)
const pollIntervalMs = Number(values.poll)
const concurrency = Number(values.concurrency)
const collect = (globalThis as { gc?: () => void }).gc
if (!collect) throw new Error('run node with --expose-gc')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const heapAfterGc = () => {
  collect()
  collect()
  return process.memoryUsage().heapUsed
}

const schema = `heap_${process.pid}`
let started = 0
const hang = defineJob({
  name: 'hang',
  run: (_input, ctx) =>
    new Promise<void>((resolve) => {
      started++
      ctx.signal.addEventListener('abort', () => resolve())
    }),
})
const jobs = createJobs({ db: values.url, jobs: [hang], schema })
try {
  await jobs.migrate()
  await jobs.enqueueMany(Array.from({ length: concurrency }, () => ({ name: 'hang' as const, input: {} })))
  const worker = jobs.worker({ concurrency, listen: false, pollIntervalMs })
  while (started < concurrency) await sleep(10)
  const begin = Date.now()
  const samples: { second: number; heapUsed: number }[] = []
  for (let next = 0; next <= seconds; next += every) {
    await sleep(begin + next * 1000 - Date.now())
    const sample = { second: next, heapUsed: heapAfterGc() }
    samples.push(sample)
    console.log(JSON.stringify(sample))
  }
  await worker.stop({ timeoutMs: 0 })
  const first = samples[0]?.heapUsed ?? 0
  const last = samples.at(-1)?.heapUsed ?? 0
  console.log(JSON.stringify({ seconds, pollIntervalMs, concurrency, first, last, growth: last - first }))
} finally {
  await jobs.executor.query(`drop schema if exists "${schema}" cascade`).catch(() => {})
  await jobs.close({ timeoutMs: 1000 })
}
