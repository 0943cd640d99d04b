import { NightshiftError } from '../errors.js'
import type { JobStatus } from './transitions.js'

const statuses: readonly JobStatus[] = ['pending', 'processing', 'completed', 'failed', 'cancelled']

/** Which jobs `listJobs`, `retryJobs` and `cancelJobs` act on: every field given must match. */
export interface JobFilter {
  /** Job names (the `type` column). */
  names?: readonly string[]
  statuses?: readonly JobStatus[]
  /** The exact idempotency key (a slot key is `<job>@<slot ISO>`). */
  idempotencyKey?: string
  /** Created at or after this time. */
  createdAfter?: Date
  /** Created before this time. */
  createdBefore?: Date
}

/**
 * The SQL conditions of a filter, with their values appended to `params` (numbered after those already
 * in it). Throws `invalid_option` for a status that does not exist or a date that is not one.
 *
 * @example
 * const params: unknown[] = []
 * const where = filterConditions({ statuses: ['failed'] }, params) // ['status = any($1::text[])']
 */
export function filterConditions(filter: JobFilter, params: unknown[]): string[] {
  const conditions: string[] = []
  const add = (sql: (at: string) => string, value: unknown) => {
    params.push(value)
    conditions.push(sql(`$${params.length}`))
  }
  if (filter.names !== undefined) add((at) => `type = any(${at}::text[])`, [...filter.names])
  if (filter.statuses !== undefined) {
    const unknown = filter.statuses.filter((status) => !statuses.includes(status))
    if (unknown.length > 0)
      throw new NightshiftError(
        'invalid_option',
        `unknown job status ${unknown.map((status) => JSON.stringify(status)).join(', ')}: use ${statuses.join(', ')}`,
      )
    add((at) => `status = any(${at}::text[])`, [...filter.statuses])
  }
  if (filter.idempotencyKey !== undefined) add((at) => `idempotency_key = ${at}`, filter.idempotencyKey)
  for (const [field, operator] of [
    ['createdAfter', '>='],
    ['createdBefore', '<'],
  ] as const) {
    const value = filter[field]
    if (value === undefined) continue
    if (!(value instanceof Date) || Number.isNaN(value.getTime()))
      throw new NightshiftError('invalid_option', `${field} must be a valid Date`)
    add((at) => `created_at ${operator} ${at}`, value)
  }
  return conditions
}
