import { readFileSync } from 'node:fs'

const original = new URL('../fixtures/original-scheduled-jobs.md', import.meta.url)

/**
 * The six curl commands of the booking app's scheduled-jobs document (fixtures/), byte for byte, by
 * the function each calls. The document's Zoom example calls `${EDGE_FUNCTION_URL}/some-scheduler-endpoint`,
 * a placeholder for the workflow's real endpoint, `schedule-create-zoom`: that one word is replaced.
 *
 * @example
 * const commands = originalCurlCommands() // { 'generate-t5-invoices': 'curl -X POST ...', ... }
 */
export function originalCurlCommands(): Record<string, string> {
  const text = readFileSync(original, 'utf8')
  const commands: Record<string, string> = {}
  for (const [, block] of text.matchAll(
    /```\n\s*(curl -X POST "\$\{(?:SUPABASE_URL|EDGE_FUNCTION_URL)\}[\s\S]*?)\n\s*```/g,
  )) {
    const command = (block ?? '').replace('/some-scheduler-endpoint', '/schedule-create-zoom')
    const name = /\/([a-z0-9-]+)" \\/.exec(command)?.[1]
    if (name) commands[name] = command.replace(/\n {2}/g, '\n')
  }
  return commands
}
