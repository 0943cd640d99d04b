export type { RouterOptions } from './create-router.js'
export { createRouter } from './create-router.js'
export type { RunningServer, RunWithServerOptions } from './run-with-server.js'
export { runWithServer } from './run-with-server.js'
