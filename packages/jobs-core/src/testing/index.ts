/**
 * The contract suite every host runs (`runContractSuite`) and its jobs.
 *
 * @packageDocumentation
 * @module @nightshift/jobs-core/testing
 */
export { contractFailureMessage, contractJobs } from './contract-jobs.js'
export type { ContractCheckResult, ContractSuiteOptions } from './run-contract-suite.js'
export { runContractSuite } from './run-contract-suite.js'
