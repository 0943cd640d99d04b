// `npm run bench` (3 full runs) or `npm run bench -- --smoke` (2,000 jobs, one run).
// Options: --runs N, --throughput N (jobs for the throughput workload), --out FILE,
// --worker-flags=FLAGS (Node flags of every library's worker processes, space-separated, e.g.
// --worker-flags=--max-semi-space-size=2), --only LIBRARY and --workloads
// enqueue,throughput,latency,backlog,http (while developing); pooler (through PgBouncer, Deno for
// nightshift) and transaction (nightshift only: transaction-workload.ts) run only when listed, as do
// scaleout (1, 2 and 4 worker processes: scale-out-workload.ts) and statements (pg_stat_statements per
// library, on a server that preloads it: statements-workload.ts).
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import { adminUrl, runSql } from './bench-database.js'
import { compileWorkers } from './compile-workers.js'
import { libraries } from './libraries.js'
import { poolerWorkload } from './pooler-workload.js'
import { scaleOutWorkload } from './scale-out-workload.js'
import { statementsWorkload } from './statements-workload.js'
import { summarize, table } from './summarize.js'
import { transactionWorkload } from './transaction-workload.js'
import {
  backlogWorkload,
  enqueueWorkload,
  fullSizes,
  httpWorkload,
  latencyWorkload,
  type Measurement,
  smokeSizes,
  throughputWorkload,
  useWorkerFlags,
} from './workloads.js'

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    runs: { type: 'string' },
    throughput: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    workloads: { type: 'string' },
    'worker-flags': { type: 'string' },
  },
})
const sizes = { ...(values.smoke ? smokeSizes : fullSizes) }
if (values.throughput) sizes.throughput = Number(values.throughput)
const runs = Number(values.runs ?? (values.smoke ? 1 : 3))
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of 1 or more`)

const workerFlags = values['worker-flags']?.split(' ').filter((flag) => flag !== '') ?? []
useWorkerFlags(workerFlags)
compileWorkers()

const [server] = await runSql<{ version: string }>(adminUrl(), 'select version()')
const settings = await runSql<{ name: string; setting: string; unit: string | null }>(
  adminUrl(),
  `select name, setting, unit from pg_settings where name in ('shared_buffers', 'synchronous_commit', 'fsync',
   'wal_level', 'max_connections', 'work_mem', 'random_page_cost', 'effective_io_concurrency', 'autovacuum', 'jit')`,
)
const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  loadAverage: os.loadavg(),
  node: process.version,
  workerFlags,
  postgres: server?.version,
  settings: Object.fromEntries(
    settings.map((row) => [row.name, `${row.setting}${row.unit ? ` ${row.unit}` : ''}`]),
  ),
}
console.log(`machine: ${JSON.stringify(machine)}`)
console.log(`sizes: ${JSON.stringify(sizes)}, runs: ${runs}`)

const out =
  values.out ??
  new URL(
    `../results/${values.smoke ? 'smoke' : 'full'}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    import.meta.url,
  ).pathname
mkdirSync(new URL('../results/', import.meta.url), { recursive: true })
function writeResults(progress: { complete: boolean; runsDone: number }) {
  const summaries = summarize(measurements)
  const output = table(
    summaries,
    libraries.map((library) => library.name),
  )
  writeFileSync(
    out,
    `${JSON.stringify({ ...progress, machine, sizes, runs, measurements, summaries, table: output }, null, 2)}\n`,
  )
  return output
}

const measurements: Measurement[] = []
const started = Date.now()
for (let run = 0; run < runs; run++) {
  // Alternate the order so that no library always goes first (or last, on a warmer server).
  const order = [...libraries.slice(run % libraries.length), ...libraries.slice(0, run % libraries.length)]
  if (run % 2 === 1) order.reverse()
  for (const library of order) {
    console.log(`run ${run + 1}/${runs}: ${library.name}`)
    if (values.only && values.only !== library.name) continue
    const wanted = new Set((values.workloads ?? 'enqueue,throughput,latency,backlog,http').split(','))
    const results = [
      ...(wanted.has('enqueue') ? await enqueueWorkload(library, sizes) : []),
      ...(wanted.has('throughput') ? await throughputWorkload(library, sizes, 'comparable') : []),
      ...(wanted.has('throughput') ? await throughputWorkload(library, sizes, 'best') : []),
      ...(wanted.has('throughput') && library.name === 'nightshift'
        ? await throughputWorkload(library, sizes, 'strict')
        : []),
      ...(wanted.has('latency') ? await latencyWorkload(library, sizes) : []),
      ...(wanted.has('backlog') ? await backlogWorkload(library, sizes) : []),
      ...(wanted.has('http') && library.name === 'nightshift' ? await httpWorkload(library, sizes) : []),
      ...(wanted.has('pooler') ? await poolerWorkload(library, sizes) : []),
      ...(wanted.has('scaleout') ? await scaleOutWorkload(library, sizes) : []),
      ...(wanted.has('statements') ? await statementsWorkload(library, sizes) : []),
      ...(wanted.has('transaction') && library.name === 'nightshift'
        ? await transactionWorkload(sizes, run)
        : []),
    ]
    for (const result of results)
      console.log(`  ${result.workload}: ${result.value.toFixed(2)} ${result.unit}`)
    measurements.push(...results)
  }
  // What is measured so far, in case a long run is cut short.
  writeResults({ complete: false, runsDone: run + 1 })
}
const output = writeResults({ complete: true, runsDone: runs })
console.log(`\n${runs} run(s) in ${Math.round((Date.now() - started) / 1000)} s; median (min–max)\n`)
console.log(output)
console.log(`\nraw results: ${out}`)
