export { recordJobMetrics } from './record-job-metrics.js'
export { traceJobRuns } from './trace-job-runs.js'
