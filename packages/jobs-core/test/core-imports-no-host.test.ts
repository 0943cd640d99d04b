import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const src = fileURLToPath(new URL('../src/', import.meta.url))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  )
}

const forbidden: [RegExp, string][] = [
  [/from\s+['"]express['"]|require\(['"]express['"]\)/, 'express'],
  [/\bDeno\./, 'Deno.'],
  [/['"]@actions\//, '@actions/'],
  [/process\.env/, 'process.env'],
  [/process\.on\(/, 'process.on('],
]

test('packages/jobs-core/src uses no host: no express, Deno, @actions, process.env or signal handlers', () => {
  const files = sourceFiles(src)
  expect(files.length).toBeGreaterThan(10)
  const found: string[] = []
  for (const file of files) {
    // Doc-comment examples may show host code; only code counts.
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '')
    for (const [pattern, what] of forbidden) if (pattern.test(code)) found.push(`${file}: ${what}`)
  }
  expect(found).toEqual([])
})
