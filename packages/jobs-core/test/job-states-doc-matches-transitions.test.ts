import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { type Transition, transitions } from '../src/queue/transitions.js'

const doc = fileURLToPath(new URL('../../../docs/job-states.md', import.meta.url))

const attempts: Record<Transition['attempts'], string> = {
  spent: 'spent (+1)',
  kept: 'kept',
  'given back': 'given back (−1)',
  reset: 'reset to 0',
}

const statuses = (list: readonly string[], none: string) =>
  list.length === 0 ? none : list.map((status) => `\`${status}\``).join(', ')

/** The section of docs/job-states.md that states the transitions, as transitions.ts has them. */
function expectedSection(): string {
  const entries = Object.entries(transitions) as [string, Transition][]
  return [
    '| transition | when | from | to | attempts | run token |',
    '|---|---|---|---|---|---|',
    ...entries.map(
      ([name, t]) =>
        `| \`${name}\` | ${t.when} | ${statuses(t.from, '—')} | ${statuses(t.to, 'deleted')} | ${attempts[t.attempts]} | ${t.token} |`,
    ),
    '',
    'Why each rule is what it is, and the statement (in `packages/jobs-core/src/queue/`) that writes it:',
    '',
    ...entries.map(([name, t]) => `- \`${name}\` (${t.statement}): ${t.why}`),
  ].join('\n')
}

// The docs page is what readers trust; the module is what runs. They must say the same thing.
test('docs/job-states.md states every transition exactly as src/queue/transitions.ts does', () => {
  const text = readFileSync(doc, 'utf8')
  const match = /<!-- transitions:begin[^>]*-->\n([\s\S]*?)\n<!-- transitions:end -->/.exec(text)
  expect(match, 'docs/job-states.md has no transitions:begin / transitions:end section').not.toBeNull()
  expect(match?.[1]).toBe(expectedSection())
})
