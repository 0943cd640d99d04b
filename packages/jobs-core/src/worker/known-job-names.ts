import type { AnyJobDefinition } from '../define-job.js'
import { NightshiftError } from '../errors.js'

/**
 * The job names a `process()` or `worker()` call may claim: those given, all of which this process must
 * define, or else every defined name. Claiming a name without its definition would take other
 * processes' jobs and mark them `failed` ("no job named … is defined in this process").
 */
export function knownJobNames(
  definitions: ReadonlyMap<string, AnyJobDefinition>,
  names: readonly string[] | undefined,
  caller: 'process' | 'worker',
): readonly string[] {
  if (names === undefined) return [...definitions.keys()]
  const unknown = names.filter((name) => !definitions.has(name))
  if (unknown.length > 0) {
    throw new NightshiftError(
      'unknown_job',
      `${caller}({ names }) lists jobs this process does not define: ${unknown.map((name) => JSON.stringify(name)).join(', ')}; known jobs: ${[...definitions.keys()].join(', ') || '(none)'}`,
    )
  }
  return names
}
