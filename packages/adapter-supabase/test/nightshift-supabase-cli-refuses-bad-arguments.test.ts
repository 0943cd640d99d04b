import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { runCli } from '../src/cli/run-cli.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nightshift-cli-'))
  await writeFile(join(dir, 'not-jobs.mjs'), 'export const jobs = 42\n')
  await writeFile(join(dir, 'typo.json'), '{ "route": [] }')
  await writeFile(join(dir, 'broken.json'), '{ "routes": ')
  await writeFile(
    join(dir, 'jobs.mjs'),
    `export const jobs = [{ name: 'london', schedule: { cron: '0 9 * * *', timezone: 'Europe/London', catchUp: 'latest' }, queue: 'default', priority: 0, maxAttempts: 5, run() {} }]\n`,
  )
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function cli(...args: string[]) {
  const output = { out: '', err: '' }
  const code = await runCli(args, {
    out: (text) => (output.out += text),
    err: (text) => (output.err += text),
  })
  return { code, ...output }
}

test('each bad invocation exits 1 with the problem named, and writes nothing', async () => {
  const out = join(dir, 'out')
  expect(await cli()).toMatchObject({ code: 2, out: expect.stringContaining('Usage:') })
  expect(await cli('migrations')).toMatchObject({
    code: 1,
    err: expect.stringContaining('migrations needs --out'),
  })
  expect(await cli('deploy', '--out', out)).toMatchObject({
    code: 1,
    err: expect.stringContaining('unknown command "deploy"'),
  })
  expect(await cli('migrations', '--out', out, '--include', 'app.txt')).toMatchObject({
    code: 1,
    err: expect.stringContaining('--include app.txt: expected a .sql file'),
  })
  expect(await cli('cron', '--out', out)).toMatchObject({
    code: 1,
    err: expect.stringContaining('cron needs --jobs'),
  })
  expect(await cli('cron', '--out', out, '--jobs', join(dir, 'not-jobs.mjs'))).toMatchObject({
    code: 1,
    err: expect.stringContaining('the jobs module must export job definitions'),
  })
  expect(await cli('cron', '--out', out, '--jobs', join(dir, 'jobs.mjs'), '--mode', 'pg')).toMatchObject({
    code: 1,
    err: expect.stringContaining('--mode pg: expected database, http or both'),
  })
  expect(await cli('cron', '--out', out, '--jobs', join(dir, 'jobs.mjs'))).toMatchObject({
    code: 1,
    err: expect.stringContaining('job "london" is scheduled in Europe/London'),
  })
  const http = [
    'cron',
    '--out',
    out,
    '--jobs',
    join(dir, 'jobs.mjs'),
    '--exclude',
    'london',
    '--mode',
    'http',
  ]
  expect(await cli(...http, '--http-options', join(dir, 'typo.json'))).toMatchObject({
    code: 1,
    err: expect.stringContaining('unknown option "route"'),
  })
  expect(await cli(...http, '--http-options', join(dir, 'broken.json'))).toMatchObject({
    code: 1,
    err: expect.stringContaining(`--http-options ${join(dir, 'broken.json')}: `),
  })
  await expect(readdir(out)).rejects.toThrow(/ENOENT/)
  // Left out on purpose, the zoned job no longer stops the others (here: none are left).
  expect(
    await cli('cron', '--out', out, '--jobs', join(dir, 'jobs.mjs'), '--exclude', 'london'),
  ).toMatchObject({ code: 0 })
})
