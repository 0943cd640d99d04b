import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

test('src/db/migrations.generated.ts matches migrations/*.sql', () => {
  const script = fileURLToPath(new URL('../scripts/generate-migrations.mjs', import.meta.url))
  // Exits non-zero (and execFileSync throws) when the generated file is out of date.
  expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow()
})
