import { NightshiftError } from './errors.js'

/** The range a whole-number option accepts: `min` and, when given, `max`, both included. */
export interface WholeNumberRange {
  min: number
  max?: number
  /** Said after the lower bound, e.g. `ms`. */
  unit?: string
}

/**
 * Why `value` is not a whole number in `range`, as the end of a sentence that names the option, or
 * undefined when it is one. Each caller names its option and throws its own error (an option of
 * `worker()`, a job definition, an HTTP body field), so every such check reads the same.
 *
 * @example
 * wholeNumberProblem(0, { min: 1 }) // 'must be a whole number of 1 or more, got 0'
 * wholeNumberProblem(5000, { min: 1, max: 1000 }) // 'must be a whole number from 1 to 1000, got 5000'
 * wholeNumberProblem(10, { min: 1 }) // undefined
 */
export function wholeNumberProblem(value: unknown, range: WholeNumberRange): string | undefined {
  const { min, max, unit } = range
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= min &&
    (max === undefined || value <= max)
  )
    return undefined
  const bounds =
    max === undefined ? `of ${min}${unit === undefined ? '' : ` ${unit}`} or more` : `from ${min} to ${max}`
  return `must be a whole number ${bounds}, got ${typeof value === 'number' ? value : JSON.stringify(value)}`
}

/**
 * An option of a call such as `worker()`: `fallback` when it is undefined, else `value` when it is a
 * whole number in `range` (default: 1 or more), else an `invalid_option` error that names the call and
 * the option.
 *
 * @example
 * wholeNumberOption('worker', 'concurrency', options.concurrency, 10)
 * // worker({ concurrency: 0 }) → "worker({ concurrency }) must be a whole number of 1 or more, got 0"
 */
export function wholeNumberOption(
  call: string,
  name: string,
  value: number | undefined,
  fallback: number,
  range: WholeNumberRange = { min: 1 },
): number {
  if (value === undefined) return fallback
  const problem = wholeNumberProblem(value, range)
  if (problem !== undefined) throw new NightshiftError('invalid_option', `${call}({ ${name} }) ${problem}`)
  return value
}
