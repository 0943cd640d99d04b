import * as core from '@actions/core'
import { readInputs } from './action-inputs.js'
import { invokeStep } from './invoke-step.js'
import { processStep } from './process-step.js'
import { reportStep } from './step-report.js'
import { thrownMessage } from './thrown-message.js'

/**
 * The Action: reads the step's inputs, runs `mode: invoke` (the HTTP contract) or `mode: process`
 * (the queue inside the runner), and reports outputs, a job summary and, on failure, an error
 * annotation. Whatever is thrown, `Error` or not, fails the step with its message.
 *
 * @example
 * // src/index.ts, the bundle's entry
 * await run()
 */
export async function run(): Promise<void> {
  try {
    const inputs = readInputs()
    const report = inputs.mode === 'process' ? await processStep(inputs) : await invokeStep(inputs)
    await reportStep(report)
  } catch (thrown) {
    core.setOutput('ok', 'false')
    core.setFailed(`nightshift: ${thrownMessage(thrown)}`)
  }
}
