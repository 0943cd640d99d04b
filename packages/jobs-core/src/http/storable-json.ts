import type { InputIssue } from '../errors.js'

/** How deep a request body's arrays and objects may nest; job inputs are flat or nearly so. */
export const maxJsonDepth = 100

/**
 * The deepest nesting of arrays and objects in JSON text, read without recursion and stopping as soon
 * as `limit` is passed: a body nested 5,000 deep must be refused before anything recursive (zod, the
 * driver's serialiser, PostgreSQL's jsonb parser) overflows its stack on it.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0
  let inString = false
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index)
    if (inString) {
      if (char === 0x5c)
        index++ // a backslash escapes the next character, a quote included
      else if (char === 0x22) inString = false
    } else if (char === 0x22) inString = true
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > limit) return true
    } else if (char === 0x5d || char === 0x7d) depth--
  }
  return false
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

function problemOf(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains \\u0000, which PostgreSQL cannot store'
  if (unpairedSurrogate.test(text)) {
    return 'contains an unpaired UTF-16 surrogate (a \\ud800–\\udfff escape without its pair), which is not text'
  }
  return undefined
}

/**
 * The first string (a key or a value) in parsed JSON that PostgreSQL's jsonb refuses: one holding
 * `\u0000`, or a lone surrogate from a `\ud800`-style escape. Only escapes can make either (raw bytes
 * were checked as UTF-8 and JSON forbids raw control characters), so a valid-looking body can carry
 * them; refused here, they are a 400 before any row is written instead of a 500 from the INSERT.
 * Walks without recursion; the depth was bounded before parsing.
 */
export function unstorableString(value: unknown): InputIssue | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value: current, path } = next
    if (typeof current === 'string') {
      const problem = problemOf(current)
      if (problem) return { path, message: `the string ${problem}` }
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => {
        stack.push({ value: item, path: [...path, index] })
      })
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, item] of Object.entries(current)) {
        const problem = problemOf(key)
        if (problem) return { path: [...path, key], message: `the key ${problem}` }
        stack.push({ value: item, path: [...path, key] })
      }
    }
  }
  return undefined
}
