import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const bundle = fileURLToPath(new URL('../dist/index.js', import.meta.url))
const root = fileURLToPath(new URL('../../../', import.meta.url))

/** What one run of the step left: exit code, log, outputs and job summary. */
export interface ActionRun {
  code: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** Everything a person or a later step could read: log, outputs file, summary. */
  everything: string
}

/** The step's `GITHUB_OUTPUT` file: `name<<delimiter`, the value's lines, `delimiter`. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!heredoc) continue
    const [, name, delimiter] = heredoc as unknown as [string, string, string]
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '')
    outputs[name] = value.join('\n')
  }
  return outputs
}

/**
 * Runs the committed bundle as the runner does: `node dist/index.js` with each input in
 * `INPUT_<NAME>` (upper-cased, spaces to underscores, hyphens kept, as GitHub names them), and
 * `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY` files. Nothing else from the test's environment but PATH
 * and HOME, so no stray INPUT_ variable takes part. Runs from the repository's root, as a checkout.
 *
 * @example
 * const run = await runAction({ url: `${base}/generate-t5-invoices`, token })
 */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'nightshift-action-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')
  const inputEnv = Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
  )
  const child = spawn(process.execPath, [bundle], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...env,
      ...inputEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  const code = await new Promise<number | null>((resolve) => child.once('close', (exit) => resolve(exit)))
  const outputText = await readFile(outputFile, 'utf8')
  const summary = await readFile(summaryFile, 'utf8')
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(outputText),
    summary,
    everything: [stdout, stderr, outputText, summary].join('\n'),
  }
}

/**
 * The log with the runner's mask commands taken out: `::add-mask::<secret>` is how a step tells the
 * runner to mask a value, and the runner never prints that line. What is left is what a person sees.
 */
export function withoutMaskCommands(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
}
