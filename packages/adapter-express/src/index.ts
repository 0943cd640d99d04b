/**
 * Express routes over the core's Fetch handler, and the worker tied to the server's lifecycle.
 *
 * @packageDocumentation
 * @module @nightshift/adapter-express
 */
export type { RouterOptions } from './create-router.js'
export { createRouter } from './create-router.js'
export type { RunningServer, RunWithServerOptions } from './run-with-server.js'
export { runWithServer } from './run-with-server.js'
