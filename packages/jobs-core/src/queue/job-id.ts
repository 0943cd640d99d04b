// The largest value of PostgreSQL's bigint, the type of jobs.id.
const maxBigint = 9223372036854775807n

/**
 * A job id as the SQL text of a bigint, or undefined when `value` cannot be one: not a whole number
 * of 0 or more, or past bigint's range (which PostgreSQL would refuse with an error instead of
 * finding no row). Ids arrive as strings from URLs and as numbers or strings from callers.
 *
 * @example
 * parseJobId('42') // '42'
 * parseJobId('9223372036854775808') // undefined: past bigint, so no job has it
 */
export function parseJobId(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value
  if (typeof text !== 'string' || !/^\d{1,19}$/.test(text)) return undefined
  const id = BigInt(text)
  return id <= maxBigint ? id.toString() : undefined
}
