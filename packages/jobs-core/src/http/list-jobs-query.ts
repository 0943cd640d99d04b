import type { ListJobsOptions } from '../queue/list-jobs.js'
import type { JobStatus } from '../queue/transitions.js'
import { HttpError } from './http-responses.js'

const known = new Set(['name', 'status', 'key', 'created_after', 'created_before', 'limit', 'cursor'])

/**
 * `GET <base>/jobs?…` as `listJobs` options: `name` and `status` (repeated or comma-separated), `key`
 * (an idempotency key), `created_after` / `created_before` (ISO 8601), `limit` (1–1000), `cursor` (a
 * page's `nextCursor`). Anything else, or a value that is not one, is a 400 that names it.
 *
 * @example
 * listJobsQuery(new URL('http://x/jobs?status=failed&name=send-whatsapp&limit=20').searchParams)
 */
export function listJobsQuery(query: URLSearchParams): ListJobsOptions {
  for (const key of query.keys())
    if (!known.has(key))
      throw new HttpError(
        'invalid_input',
        `unknown query parameter ${JSON.stringify(key.slice(0, 40))}: use ${[...known].join(', ')}`,
      )
  const list = (key: string) => {
    const values = query
      .getAll(key)
      .flatMap((value) => value.split(','))
      .filter((value) => value !== '')
    return values.length > 0 ? values : undefined
  }
  const date = (key: string) => {
    const value = query.get(key)
    if (value === null) return undefined
    const parsed = new Date(value)
    if (Number.isNaN(parsed.getTime()))
      throw new HttpError(
        'invalid_input',
        `${key} must be an ISO 8601 time, got ${JSON.stringify(value.slice(0, 40))}`,
      )
    return parsed
  }
  const options: ListJobsOptions = {}
  const names = list('name')
  if (names) options.names = names
  const statuses = list('status')
  if (statuses) options.statuses = statuses as JobStatus[]
  const key = query.get('key')
  if (key !== null) options.idempotencyKey = key
  const after = date('created_after')
  if (after) options.createdAfter = after
  const before = date('created_before')
  if (before) options.createdBefore = before
  const limit = query.get('limit')
  if (limit !== null) {
    if (!/^\d{1,4}$/.test(limit))
      throw new HttpError(
        'invalid_input',
        `limit must be a whole number from 1 to 1000, got ${JSON.stringify(limit.slice(0, 20))}`,
      )
    options.limit = Number(limit)
  }
  const cursor = query.get('cursor')
  if (cursor !== null) options.cursor = cursor
  return options
}
