import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { actionParserErrors, actionValidator } from './real-linters.js'

const actionYml = readFileSync(new URL('../action.yml', import.meta.url), 'utf8')

describe('action.yml', () => {
  it("passes GitHub's own parser (parseAction), which knows node24", () => {
    expect(actionParserErrors('action.yml', actionYml)).toEqual([])
    expect(parse(actionYml).runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('passes action-validator, except that its schema predates node24', async () => {
    const { code, report } = await actionValidator('action.yml', actionYml)
    // The one error: runs.using is not in the schema's enum (node12/16/20). Everything else is valid:
    // the same file with node20 passes.
    expect(code).not.toBe(0)
    const [only] = (report?.errors ?? []) as { states: { errors: { code: string; path: string }[] }[] }[]
    const javascriptBranch = only?.states[0]
    expect(javascriptBranch?.errors).toEqual([expect.objectContaining({ code: 'enum', path: '/runs/using' })])
    expect(report?.errors).toHaveLength(1)
    expect(await actionValidator('action.yml', actionYml.replace('using: node24', 'using: node20'))).toEqual({
      code: 0,
      report: undefined,
    })
  })

  it('declares every input the Action reads and every output it sets', () => {
    const declared = parse(actionYml) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> }
    const source = ['action-inputs.ts', 'step-report.ts']
      .map((file) => readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8'))
      .join('\n')
    const read = [...source.matchAll(/(?:getInput|optional|whole|flag|jsonObject)\('([a-z-]+)'/g)].map(
      (m) => m[1],
    )
    const set = [...source.matchAll(/setOutput\('([a-z-]+)'/g)].map((m) => m[1])
    const names = ['token', 'signing-key', 'database-url'] // masked through a loop over names
    expect([...new Set([...read, ...names])].sort()).toEqual(Object.keys(declared.inputs).sort())
    expect([...new Set(set)].sort()).toEqual(Object.keys(declared.outputs).sort())
  })
})
