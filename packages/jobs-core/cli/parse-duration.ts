import { NightshiftError } from '../src/index.js'

const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A duration such as `90s`, `15m`, `12h` or `7d` in milliseconds.
 *
 * @example
 * parseDuration('7d') // 604800000
 */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim())
  if (!match)
    throw new NightshiftError(
      'invalid_option',
      `${option} must be a duration like 90s, 15m, 12h or 7d, got ${JSON.stringify(text)}`,
    )
  return Number(match[1]) * (units[match[2] as string] as number)
}
