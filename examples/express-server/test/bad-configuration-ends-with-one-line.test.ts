import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../../test-support/test-database.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const entry = fileURLToPath(new URL('../src/start-server.ts', import.meta.url))

/** The server as `npm start` runs it, minus npm's own lifecycle noise. */
function start(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, ...env },
  })
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  proc.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, stdout, stderr })))
}

describe('bad configuration', () => {
  it('an unreachable DATABASE_URL ends with one line naming it and a non-zero exit', async () => {
    const result = await start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', PORT: '0' })
    expect(result.code).not.toBe(0)
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^nightshift: cannot start: cannot reach the database postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere/,
      ),
    ])
  })

  it('a port in use ends with one line naming the port and a non-zero exit', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, resolve))
    const address = blocker.address()
    const port = typeof address === 'object' && address ? address.port : 0
    // Its own database: the server migrates and seeds before it listens.
    const db = await createTestDatabase('express_server_port_in_use')
    try {
      const result = await start({ DATABASE_URL: db.url, PORT: String(port) })
      expect(result.code).not.toBe(0)
      expect(result.stderr.trim().split('\n')).toEqual([
        `nightshift: cannot start: port ${port} is in use (set PORT to another)`,
      ])
    } finally {
      blocker.close()
      await db.drop()
    }
  })

  it('a PORT that is not a port ends with one line', async () => {
    const result = await start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/unused', PORT: 'eighty' })
    expect(result.code).not.toBe(0)
    expect(result.stderr.trim()).toBe('nightshift: cannot start: PORT must be a port number, got "eighty"')
  })
})
