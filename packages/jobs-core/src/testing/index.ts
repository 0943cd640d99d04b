export { contractFailureMessage, contractJobs } from './contract-jobs.js'
export type { ContractCheckResult, ContractSuiteOptions } from './run-contract-suite.js'
export { runContractSuite } from './run-contract-suite.js'
