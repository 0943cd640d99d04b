#!/usr/bin/env node
// nightshift-gha: writes GitHub workflows from job definitions, and lints workflows.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { generateWorkflows } from './generate-workflows.js'
import { importJobsModule, jobDefinitionsOf } from './jobs-module.js'
import { lintWorkflows } from './lint-workflows.js'
import { thrownMessage } from './thrown-message.js'
import { actionReference, defaultOwner } from './workflow-names.js'

const usage = `usage:
  nightshift-gha workflows --jobs <module> --out <dir> [options]
      one workflow per scheduled job in <module> (see the README for what it exports)
      --owner <owner>            owner in uses: <owner>/nightshift/packages/adapter-gha@v0 (default ${defaultOwner}, a placeholder)
      --mode invoke|process      the step calls the job's route (default), or runs it in the runner from <module>
      --base-url <expression>    mode invoke: where the job routes are (default \${{ secrets.SUPABASE_URL }}/functions/v1)
      --queue-route <name>       also a workflow draining the queue through this route
      --queue-cron <cron>        its schedule (under 5 minutes: none, and a note)
      --timeout-minutes <n>      timeout-minutes of each workflow (default 10)
      --check                    write nothing; exit 1 when <dir> differs from what would be written
  nightshift-gha lint <dir> [--jobs <module>] [--format text|github]
      what GitHub would reject, ignore or run late; exit 1 on an error
A TypeScript <module> is loaded with this project's tsx (npm i -D tsx); a .js/.mjs module needs nothing.`

function badMode(mode: unknown): never {
  throw new Error(`--mode must be invoke or process, got ${JSON.stringify(mode)}`)
}

async function workflows(values: Record<string, string | boolean | undefined>): Promise<number> {
  const jobsPath = values.jobs
  const out = values.out
  if (typeof jobsPath !== 'string' || typeof out !== 'string')
    throw new Error(`--jobs and --out are required\n${usage}`)
  const definitions = await jobDefinitionsOf(await importJobsModule(jobsPath))
  const queueRoute = values['queue-route']
  const queueCron = values['queue-cron']
  const timeout = values['timeout-minutes']
  const generated = generateWorkflows(definitions, {
    mode:
      values.mode === 'process'
        ? 'process'
        : values.mode === undefined || values.mode === 'invoke'
          ? 'invoke'
          : badMode(values.mode),
    jobsModule: jobsPath,
    actionRef: actionReference(typeof values.owner === 'string' ? values.owner : defaultOwner),
    baseUrl: typeof values['base-url'] === 'string' ? values['base-url'] : undefined,
    timeoutMinutes: typeof timeout === 'string' ? Number(timeout) : undefined,
    queue:
      typeof queueRoute === 'string'
        ? { route: queueRoute, cron: typeof queueCron === 'string' ? queueCron : undefined }
        : undefined,
  })
  let differs = 0
  if (!values.check) await mkdir(out, { recursive: true })
  for (const workflow of generated) {
    const path = join(out, workflow.file)
    if (values.check) {
      const current = await readFile(path, 'utf8').catch(() => undefined)
      if (current !== workflow.text) {
        differs++
        console.log(`${path}: ${current === undefined ? 'missing' : 'differs'}`)
      }
      continue
    }
    await writeFile(path, workflow.text)
    console.log(`wrote ${path}`)
    for (const note of workflow.notes) console.log(`  ${note}`)
  }
  if (values.check)
    console.log(differs ? `${differs} workflow(s) out of date: run without --check` : 'workflows up to date')
  return differs ? 1 : 0
}

async function lint(
  dir: string | undefined,
  values: Record<string, string | boolean | undefined>,
): Promise<number> {
  if (!dir) throw new Error(`lint needs a directory\n${usage}`)
  const names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort()
  const files = await Promise.all(
    names.map(async (name) => ({
      path: relative(process.cwd(), join(dir, name)) || name,
      text: await readFile(join(dir, name), 'utf8'),
    })),
  )
  const definitions =
    typeof values.jobs === 'string' ? await jobDefinitionsOf(await importJobsModule(values.jobs)) : []
  const findings = lintWorkflows(files, definitions)
  for (const finding of findings) {
    if (values.format === 'github') {
      const where = `file=${finding.file}${finding.line ? `,line=${finding.line}` : ''},title=${finding.rule}`
      console.log(`::${finding.level} ${where}::${finding.message}`)
    } else {
      console.log(
        `${finding.file}${finding.line ? `:${finding.line}` : ''}: ${finding.level} [${finding.rule}] ${finding.message}`,
      )
    }
  }
  const errors = findings.filter((finding) => finding.level === 'error').length
  console.log(`${files.length} workflow(s), ${findings.length} finding(s), ${errors} error(s)`)
  return errors ? 1 : 0
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      jobs: { type: 'string' },
      out: { type: 'string' },
      owner: { type: 'string' },
      mode: { type: 'string' },
      'base-url': { type: 'string' },
      'queue-route': { type: 'string' },
      'queue-cron': { type: 'string' },
      'timeout-minutes': { type: 'string' },
      check: { type: 'boolean' },
      format: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  const [command, dir] = positionals
  if (values.help || !command) {
    console.log(usage)
    return values.help ? 0 : 2
  }
  if (command === 'workflows') return workflows(values)
  if (command === 'lint') return lint(dir, values)
  throw new Error(`unknown command ${JSON.stringify(command)}\n${usage}`)
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (thrown: unknown) => {
    console.error(`nightshift-gha: ${thrownMessage(thrown)}`)
    process.exitCode = 2
  },
)
