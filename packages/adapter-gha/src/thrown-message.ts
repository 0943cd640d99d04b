/**
 * The message of anything thrown, without a stack: an `Error`'s message (and its cause's), a string
 * as it is, anything else as JSON. Unknown throws are normalised here, once, so a `throw 'text'` or a
 * rejected `{ code }` fails the step with what it said, instead of leaving it green.
 *
 * @example
 * thrownMessage(new Error('refused', { cause: new Error('ECONNREFUSED') })) // 'refused (ECONNREFUSED)'
 * thrownMessage({ code: 42 }) // '{"code":42}'
 */
export function thrownMessage(thrown: unknown): string {
  if (thrown instanceof Error) {
    const message = thrown.message || thrown.name
    const cause = thrown.cause === undefined ? '' : ` (${thrownMessage(thrown.cause)})`
    return `${message}${cause}`
  }
  if (typeof thrown === 'string') return thrown
  try {
    return JSON.stringify(thrown) ?? String(thrown)
  } catch {
    return String(thrown)
  }
}
