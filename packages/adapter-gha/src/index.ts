// The Action's entry (action.yml runs the bundle of this file): it only runs the step.
import { run } from './main.js'

await run()
