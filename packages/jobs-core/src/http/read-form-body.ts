import { HttpError } from './http-responses.js'

const formType = /^application\/x-www-form-urlencoded\s*(?:;|$)/i

/**
 * Parses a raw body as an HTML form (`application/x-www-form-urlencoded`), for the dashboard's
 * browser routes; any other non-empty body is 415. A field given twice keeps its first value.
 */
export function parseFormBody(raw: Uint8Array, contentType: string | null): Record<string, string> {
  if (raw.byteLength === 0) return {}
  if (!contentType || !formType.test(contentType.trim())) {
    throw new HttpError(
      'unsupported_media_type',
      `the body must be a form with content-type application/x-www-form-urlencoded, got ${contentType ? JSON.stringify(contentType.slice(0, 100)) : 'none'}`,
    )
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw)
  } catch {
    throw new HttpError('invalid_input', 'the body is not valid UTF-8')
  }
  // No prototype: a field named __proto__ or constructor is just a field.
  const fields: Record<string, string> = Object.create(null)
  for (const [name, value] of new URLSearchParams(text))
    if (!Object.hasOwn(fields, name)) fields[name] = value
  return fields
}
