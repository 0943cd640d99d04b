import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { secrets } from './booking-functions.js'

const run = promisify(execFile)

/**
 * Runs a curl command as written, in bash, with the original setup's variables pointing at `gateway`
 * (`SUPABASE_URL`, `EDGE_FUNCTION_URL`, the secrets; `env` overrides them); `-s -w` only add the status.
 *
 * @example
 * const { status, json } = await runCurlCommand(originalCurlCommands()['notification-worker'], gateway.url)
 */
export async function runCurlCommand(command: string, gateway: string, env: Record<string, string> = {}) {
  const { stdout } = await run('bash', ['-c', `${command} -s -w '\\n%{http_code}'`], {
    env: {
      PATH: process.env.PATH ?? '',
      SUPABASE_URL: gateway,
      EDGE_FUNCTION_URL: `${gateway}/functions/v1`,
      ...secrets,
      ...env,
    },
  })
  const status = Number(stdout.slice(stdout.lastIndexOf('\n') + 1))
  return { status, json: JSON.parse(stdout.slice(0, stdout.lastIndexOf('\n'))) as Record<string, unknown> }
}
