/**
 * The Action's reference in generated workflows. The owner of nightshift's GitHub repository is not
 * settled: `nightshift-dev` is a placeholder, replaced with `--owner` (or `actionRef`).
 *
 * @example
 * actionReference(defaultOwner) // 'nightshift-dev/nightshift/packages/adapter-gha@v0'
 */
export const defaultOwner = 'nightshift-dev'

/**
 * `<owner>/nightshift/packages/adapter-gha@v0`: the Action in nightshift's repository, major tag v0.
 *
 * @example
 * generateWorkflows(definitions, { actionRef: actionReference('acme') })
 */
export function actionReference(owner: string = defaultOwner): string {
  return `${owner}/nightshift/packages/adapter-gha@v0`
}

/**
 * The secret a generated workflow reads its token from: one per job (least privilege: a server gives
 * each its own token, scoped to that job), named after it.
 *
 * @example
 * tokenSecretName('generate-t5-invoices') // 'GENERATE_T5_INVOICES_TOKEN'
 */
export function tokenSecretName(job: string): string {
  return `${job.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_TOKEN`
}

/**
 * The minute a generated workflow fires a minute-0 schedule at instead (7 to 26): GitHub runs many
 * schedules at minute 0 and starts them late then; a trigger a few minutes later runs the same slot
 * (the latest slot at or before the run). Spread per job, the same every time.
 */
export function minuteOffsetFor(job: string): number {
  let hash = 0
  for (const char of job) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return 7 + (hash % 20)
}
