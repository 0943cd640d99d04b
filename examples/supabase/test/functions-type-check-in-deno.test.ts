import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import { ensurePackagesBuilt } from '../../../test-support/deno-function.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../../', import.meta.url))
const functions = 'examples/supabase/supabase/functions'

it('every function type-checks with Deno’s own checker, against the packages’ published types', async () => {
  ensurePackagesBuilt()
  const entries = readdirSync(`${root}${functions}`, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_'))
    .map((entry) => `${functions}/${entry.name}/index.ts`)
  expect(entries.length).toBe(7)
  const result = await run(
    `${root}node_modules/.bin/deno`,
    ['check', '--config', `${functions}/deno.json`, ...entries],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DENO_NO_UPDATE_CHECK: '1' },
    },
  ).catch((error: { stdout?: string; stderr?: string }) => ({ failed: `${error.stdout}${error.stderr}` }))
  expect('failed' in result ? result.failed : '').toBe('')
}, 120_000)
