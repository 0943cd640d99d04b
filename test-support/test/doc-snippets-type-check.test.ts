import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))

/** Every markdown page a reader is sent to: docs/, the READMEs of the repository, packages and examples. */
function pages(): string[] {
  const inDir = (dir: string, depth: number): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return depth > 0 && entry.name !== 'api' ? inDir(path, depth - 1) : []
      return entry.name.endsWith('.md') ? [path] : []
    })
  const readmes = ['packages', 'examples'].flatMap((dir) =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(dir, entry.name, 'README.md')),
  )
  return ['README.md', ...inDir('docs', 1), ...readmes].filter((path) => {
    try {
      readFileSync(join(root, path))
      return true
    } catch {
      return false
    }
  })
}

/**
 * A page's ```ts blocks. A block may be preceded by `<!-- snippet-context … -->`: declarations the
 * surrounding prose gives it (a `jobs` built earlier on the page, a secret read from the environment),
 * compiled with it but not shown. `<!-- snippet-context skip: why -->` leaves a block out (code for
 * another runtime, such as Deno's).
 */
function snippets(page: string): { name: string; code: string }[] {
  const text = readFileSync(join(root, page), 'utf8')
  const found: { name: string; code: string }[] = []
  const fence = /(?:<!--\s*snippet-context((?:(?!-->)[\s\S])*)-->\s*)?```ts\n([\s\S]*?)```/g
  for (const match of text.matchAll(fence)) {
    const context = match[1]?.trim() ?? ''
    if (context.startsWith('skip')) continue
    found.push({
      name: `${page.replace(/[^a-z0-9]+/gi, '-')}-${found.length + 1}`,
      code: `${context}\n${match[2]}\nexport {}\n`,
    })
  }
  return found
}

// Snippets that do not compile teach the wrong API. Each ```ts block of the docs and READMEs is written
// as a module of its own and type-checked with the repository's strict settings.
test('every TypeScript snippet in the docs and READMEs type-checks under strict TypeScript', async () => {
  const dir = join(root, '.snippets')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  try {
    const all = pages().flatMap(snippets)
    expect(all.length).toBeGreaterThan(10)
    for (const snippet of all) writeFileSync(join(dir, `${snippet.name}.ts`), snippet.code)
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../tsconfig.json',
        compilerOptions: { baseUrl: '..' },
        include: ['./*.ts'],
      }),
    )
    const result = await run(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', dir],
      {
        cwd: root,
        timeout: 120_000,
      },
    ).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    )
    expect(result).toBe('')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 180_000)
