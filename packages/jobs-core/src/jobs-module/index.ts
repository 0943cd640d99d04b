/**
 * Loading a jobs module in Node (`--jobs <path>[#export]` of the `nightshift`, `nightshift-gha` and
 * `nightshift-supabase` commands), and opening the queue it describes.
 *
 * @packageDocumentation
 * @module @nightshift/jobs-core/jobs-module
 */
export { importJobsModule } from './import-jobs-module.js'
export type { JobsModuleExport, JobsModuleValue, OpenedJobs } from './open-jobs-module.js'
export { isJobDefinition, jobDefinitionsOf, openJobs, plainDefinitionsOf } from './open-jobs-module.js'
