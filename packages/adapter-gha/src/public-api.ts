/**
 * The GitHub Actions host: the workflow generator and linter, and the Action's `run()`. The Action's own
 * entry is src/index.ts (bundled into dist/index.js), which only calls `run()`.
 *
 * @packageDocumentation
 * @module @nightshift/adapter-gha
 */

export type { JobsModuleExport, OpenedJobs } from '@nightshift/jobs-core/jobs-module'
export { importJobsModule, jobDefinitionsOf, openJobs } from '@nightshift/jobs-core/jobs-module'
export type { WorkflowOptions } from './generate-workflows.js'
export { generateWorkflows } from './generate-workflows.js'
export type { LintFinding, WorkflowFile } from './lint-workflows.js'
export { lintWorkflows } from './lint-workflows.js'
export { run } from './main.js'
export type { GeneratedWorkflow } from './workflow-document.js'
export { githubShortestScheduleMinutes } from './workflow-document.js'
export { actionReference, defaultOwner, tokenSecretName } from './workflow-names.js'
