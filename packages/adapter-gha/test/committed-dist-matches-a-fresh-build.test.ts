import { execFile } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const packageDir = fileURLToPath(new URL('../', import.meta.url))

// GitHub runs the committed dist/index.js, never the sources: a change to src/ (or to jobs-core, which
// is bundled in) that was not rebuilt and committed would not run. Rebuild with `npm run build -w
// @nightshift/adapter-gha` and commit dist/index.js.
it('the committed dist/index.js is what the build makes from the sources', async () => {
  const out = await mkdtemp(join(tmpdir(), 'nightshift-check-dist-'))
  await promisify(execFile)('npx', ['tsup'], {
    cwd: packageDir,
    env: { ...process.env, NIGHTSHIFT_ACTION_OUT_DIR: out },
  })
  const fresh = await readFile(join(out, 'index.js'), 'utf8')
  const committed = await readFile(join(packageDir, 'dist/index.js'), 'utf8')
  expect(fresh.length).toBeGreaterThan(1000)
  expect(
    committed === fresh,
    'dist/index.js is stale: run npm run build -w @nightshift/adapter-gha and commit it',
  ).toBe(true)
})
