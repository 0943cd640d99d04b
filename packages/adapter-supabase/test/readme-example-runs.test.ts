import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { createJobs } from '@nightshift/jobs-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type DenoFunction, startDenoFunction } from '../../../test-support/deno-function.js'
import { startFunctionsGateway } from '../../../test-support/functions-gateway.js'
import {
  createPooledTestDatabase,
  type PooledTestDatabase,
} from '../../../test-support/pooled-test-database.js'
import { pgbouncerMissing } from '../../../test-support/start-pgbouncer.js'
import { functionsConfig } from './function-environment.js'

const run = promisify(execFile)
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const [functionBlock, callerBlock] = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(
  (match) => match[1] ?? '',
)
// Written where Deno finds the workspace's node_modules, and removed after.
const folder = new URL('./functions/readme-example/', import.meta.url)
const key = 'service-role-key-readme-0123456789'

// A laptop without the pooler skips this file with one line that says how to get it.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

let database: PooledTestDatabase
let fn: DenoFunction
let gateway: Awaited<ReturnType<typeof startFunctionsGateway>>

beforeAll(async () => {
  if (missing) return
  database = await createPooledTestDatabase('supabase_readme')
  const jobs = createJobs({ db: database.url, jobs: [] })
  await jobs.migrate()
  await jobs.close()
  mkdirSync(folder, { recursive: true })
  writeFileSync(new URL('index.ts', folder), functionBlock as string)
  writeFileSync(new URL('caller.ts', folder), callerBlock as string)
  fn = await startDenoFunction(
    'packages/adapter-supabase/test/functions/readme-example/index.ts',
    { SUPABASE_DB_URL: database.pgbouncer.url, SUPABASE_SERVICE_ROLE_KEY: key },
    { config: functionsConfig },
  )
  gateway = await startFunctionsGateway({ 'send-report': fn.url })
}, 120_000)
afterAll(async () => {
  await fn?.kill()
  await gateway?.close()
  await database?.drop()
  rmSync(folder, { recursive: true, force: true })
})

it.skipIf(missing)(
  'the README’s function, served by Deno, answers the README’s caller through supabase-js',
  async () => {
    expect(functionBlock).toContain('Deno.serve(serveJobs([sendReport]))')
    const { stdout } = await run('node', ['--import', 'tsx', new URL('caller.ts', folder).pathname], {
      env: { PATH: process.env.PATH ?? '', SUPABASE_URL: gateway.url, SUPABASE_SERVICE_ROLE_KEY: key },
    })
    expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toEqual({
      status: 'completed',
      result: { sentTo: 'ada@example.com' },
    })
  },
)
