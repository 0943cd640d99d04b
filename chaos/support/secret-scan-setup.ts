// A Vitest setup file: keeps everything a test file prints (console, process.stdout, process.stderr) and
// fails the file when a registered secret (see secret-scan.ts) appears in it. Child processes' output is
// not printed unless a test prints it, so the chaos tests scan that output themselves.
import { format } from 'node:util'
import { afterAll } from 'vitest'
import { secrets as functionSecrets } from '../../packages/adapter-supabase/test/function-environment.js'
import { registeredSecrets, registerSecrets } from './secret-scan.js'

// The Supabase function's test secrets, which many files share, are known before any test names them.
registerSecrets(functionSecrets)

const printed: string[] = []

for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  const original = console[level]
  console[level] = (...args: unknown[]) => {
    printed.push(format(...args))
    original.apply(console, args)
  }
}
for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString())
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
  } as typeof stream.write
}

afterAll(() => {
  const text = printed.join('\n')
  const found = Object.entries(registeredSecrets())
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name)
  // The names only: repeating the value here would print it once more.
  if (found.length > 0) throw new Error(`this test file printed secrets: ${found.join(', ')}`)
})
