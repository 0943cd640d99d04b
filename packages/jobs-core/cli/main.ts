// `npx nightshift <command>`: the queue from a terminal or a script. A host of its own (it reads
// DATABASE_URL, writes to stdout, handles signals), so it lives outside src/ and uses only the public API.
import { parseArgs } from 'node:util'
import {
  type AnyJobDefinition,
  consoleLogger,
  createJobs,
  type Jobs,
  migrationSql,
  NightshiftError,
} from '../src/index.js'
import { importJobsModule, type OpenedJobs, openJobs, plainDefinitionsOf } from '../src/jobs-module/index.js'
import {
  type CommandAnswer,
  changeCommand,
  listCommand,
  purgeCommand,
  schedulesCommand,
  showCommand,
  statsCommand,
  triggerCommand,
} from './cli-commands.js'

const usage = `Usage: nightshift <command> [options]

  migrate                          apply nightshift's migrations
  migrations --sql                 print every migration as one SQL text (for your migration tool)
  stats [--fail-if-stuck]          counts by status, oldest due job, stuck jobs
  jobs list [filter] [--limit N] [--cursor C]
  jobs show <id>
  jobs retry <id> | [filter]       failed or cancelled jobs back to pending
  jobs cancel <id> | [filter]      pending or running jobs cancelled
  jobs purge --older-than 30d [--status completed,cancelled,failed]
  schedules --jobs <module>        scheduled jobs and their next runs
  trigger <job> --jobs <module> [--force] [--input JSON]
  worker --jobs <module> [--concurrency N]   run jobs until SIGINT or SIGTERM

filter: --name N (repeat or comma-separate), --status S, --key K, --created-after T, --created-before T
options: --json (machine-readable output), --schema S (default nightshift)
environment: DATABASE_URL (required except for migrations --sql)
exit codes: 0 done; 1 done, and the outcome is a failure (job failed, not found, stuck); 2 usage or bad
input; 3 the database could not be reached`

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        schema: { type: 'string' },
        sql: { type: 'boolean', default: false },
        jobs: { type: 'string' },
        name: { type: 'string', multiple: true },
        status: { type: 'string', multiple: true },
        key: { type: 'string' },
        'created-after': { type: 'string' },
        'created-before': { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        'older-than': { type: 'string' },
        force: { type: 'boolean', default: false },
        input: { type: 'string' },
        concurrency: { type: 'string' },
        'fail-if-stuck': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (error) {
    fail(2, messageOf(error))
  }
})()

function fail(code: number, message: string): never {
  if (values?.json) process.stdout.write(`${JSON.stringify({ ok: false, error: message })}\n`)
  else process.stderr.write(`nightshift: ${message}\n`)
  process.exit(code)
}

function print(answer: CommandAnswer): never {
  if (values.json)
    process.stdout.write(`${JSON.stringify({ ok: answer.exitCode === 0, ...wrap(answer.data) })}\n`)
  else for (const text of answer.text) process.stdout.write(`${text}\n`)
  process.exit(answer.exitCode)
}

function wrap(data: unknown): Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : { data }
}

async function queue(needsJobs: boolean): Promise<OpenedJobs> {
  const url = process.env.DATABASE_URL
  if (!url) fail(2, 'DATABASE_URL is not set: point it at the PostgreSQL that holds the queue')
  if (needsJobs && !values.jobs)
    fail(2, `${positionals[0]} needs --jobs <module> (the module that exports your job definitions)`)
  const exported = values.jobs ? await importJobsModule(values.jobs) : []
  const definitions: readonly AnyJobDefinition[] | undefined = values.jobs ? plainDefinitionsOf(exported) : []
  if (definitions === undefined) {
    // The module opens its queue itself (its own pool, schema and logger): use that one.
    if (values.schema)
      fail(2, `--schema applies to job definitions; ${values.jobs} opens its own queue, which has its schema`)
    return openJobs(exported, url)
  }
  const jobs = createJobs({
    db: url,
    jobs: definitions,
    ...(values.schema ? { schema: values.schema } : {}),
    logger: consoleLogger({ level: positionals[0] === 'worker' ? 'info' : 'warn' }),
    maxConnections: positionals[0] === 'worker' ? 10 : 2,
  })
  return { jobs, close: () => jobs.close() }
}

async function runWorker({ jobs, close }: OpenedJobs): Promise<never> {
  const worker = jobs.worker(values.concurrency ? { concurrency: Number(values.concurrency) } : {})
  process.stderr.write(
    `nightshift: worker running ${[...jobs.definitions.keys()].join(', ')}; Ctrl-C stops it\n`,
  )
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  // Running jobs finish (a second signal does not wait); nothing is lost either way.
  process.once('SIGINT', () => process.exit(130))
  process.once('SIGTERM', () => process.exit(143))
  await worker.stop()
  await close()
  process.exit(0)
}

async function main(): Promise<never> {
  const [command, sub, argument] = positionals
  if (values.help || command === undefined) {
    process.stdout.write(`${usage}\n`)
    process.exit(command === undefined && !values.help ? 2 : 0)
  }
  if (command === 'migrations') {
    if (!values.sql) fail(2, 'migrations prints SQL: add --sql')
    process.stdout.write(migrationSql(values.schema ? { schema: values.schema } : {}))
    process.exit(0)
  }
  const known = ['migrate', 'stats', 'jobs', 'schedules', 'trigger', 'worker']
  if (!known.includes(command)) fail(2, `unknown command ${JSON.stringify(command)}\n\n${usage}`)
  const opened = await queue(command === 'schedules' || command === 'trigger' || command === 'worker')
  const { jobs } = opened
  try {
    switch (command) {
      case 'migrate': {
        const { applied } = await jobs.migrate()
        return print({
          data: { applied },
          text: [applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`],
          exitCode: 0,
        })
      }
      case 'stats':
        return print(await statsCommand(jobs, values['fail-if-stuck']))
      case 'schedules':
        return print(await schedulesCommand(jobs))
      case 'trigger':
        if (sub === undefined) fail(2, 'trigger needs a job name')
        return print(await triggerCommand(jobs, sub, values.input, values.force))
      case 'worker':
        return await runWorker(opened)
      default:
        return print(await jobsCommand(jobs, sub, argument))
    }
  } finally {
    await opened.close()
  }
}

async function jobsCommand(
  jobs: Jobs,
  sub: string | undefined,
  id: string | undefined,
): Promise<CommandAnswer> {
  switch (sub) {
    case 'list':
      return listCommand(jobs, values)
    case 'show':
      if (id === undefined) fail(2, 'jobs show needs a job id')
      return showCommand(jobs, id)
    case 'retry':
    case 'cancel':
      return changeCommand(jobs, sub, id, values)
    case 'purge':
      return purgeCommand(jobs, values['older-than'], values.status)
    default:
      fail(2, `jobs needs list, show, retry, cancel or purge, got ${JSON.stringify(sub ?? '')}`)
  }
}

main().catch((error: unknown) => {
  if (error instanceof NightshiftError && error.code === 'database_unavailable') fail(3, error.message)
  if (error instanceof NightshiftError) fail(error.code === 'job_not_found' ? 1 : 2, error.message)
  const code = (error as { code?: unknown }).code
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    code === '3D000' ||
    code === '28P01'
  )
    fail(3, `the database could not be reached: ${messageOf(error)}`)
  fail(1, messageOf(error))
})

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
