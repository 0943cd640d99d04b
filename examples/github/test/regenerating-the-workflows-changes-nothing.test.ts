import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const checkedIn = join(root, 'examples/github/workflows')

// The command the README gives, run from the repository's root.
const generate = (out: string) => [
  '--import',
  'tsx',
  'packages/adapter-gha/src/cli.ts',
  'workflows',
  '--jobs',
  'examples/github/booking-jobs.ts',
  '--out',
  out,
  '--queue-route',
  'notification-worker',
  '--queue-cron',
  '*/2 * * * *',
]

it('regenerating the six workflows from the booking jobs gives the checked-in files, byte for byte', async () => {
  const out = await mkdtemp(join(tmpdir(), 'nightshift-workflows-'))
  await promisify(execFile)(process.execPath, generate(out), { cwd: root })
  const written = (await readdir(out)).sort()
  expect(written).toEqual((await readdir(checkedIn)).sort())
  expect(written).toHaveLength(6)
  for (const file of written) {
    expect(await readFile(join(out, file), 'utf8'), file).toBe(await readFile(join(checkedIn, file), 'utf8'))
  }
  // --check says the same, and exits 0.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...generate('examples/github/workflows'), '--check'],
    {
      cwd: root,
    },
  )
  expect(stdout).toContain('workflows up to date')
})
