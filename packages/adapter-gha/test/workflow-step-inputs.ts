import { parse } from 'yaml'

/**
 * The inputs GitHub would give the nightshift step of a generated workflow: its `with:` values, with
 * the two expression forms the generator writes evaluated (`${{ secrets.NAME }}` and
 * `${{ inputs.name || default }}`, for a scheduled run when `dispatched` is empty). Any other
 * expression throws, so a new form in the generator cannot pass unchecked.
 *
 * @example
 * stepInputs(text, { SUPABASE_URL: base, GENERATE_T5_INVOICES_TOKEN: token })
 */
export function stepInputs(
  workflowText: string,
  secrets: Record<string, string>,
  dispatched: Record<string, string> = {},
): Record<string, string> {
  const workflow = parse(workflowText) as {
    jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>
  }
  const step = Object.values(workflow.jobs)
    .flatMap((job) => job.steps)
    .find((candidate) => candidate.uses?.includes('/nightshift/packages/adapter-gha@'))
  if (!step) throw new Error('no nightshift step in the workflow')
  const evaluate = (text: string) =>
    text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, body: string) => {
      const secret = /^secrets\.([A-Z0-9_]+)$/.exec(body)
      if (secret) {
        const value = secrets[secret[1] as string]
        if (value === undefined) throw new Error(`the test gives no secret ${secret[1]}`)
        return value
      }
      const input = /^inputs\.([a-z_-]+) \|\| (.+)$/.exec(body)
      if (input) return dispatched[input[1] as string] ?? (input[2] as string)
      throw new Error(`an expression the test cannot evaluate: ${body}`)
    })
  return Object.fromEntries(
    Object.entries(step.with ?? {}).map(([name, value]) => [name, evaluate(String(value))]),
  )
}
