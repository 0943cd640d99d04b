import { HttpError } from './http-responses.js'
import { jsonDepthExceeds, maxJsonDepth, unstorableString } from './storable-json.js'

/** Reads the raw body, refusing more than `maxBytes` before buffering it all. */
export async function readRawBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes)
  if (!request.body) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError('payload_too_large', `the body is larger than ${maxBytes} bytes`)
}

const jsonType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

/**
 * Parses a raw body as a JSON object. An empty body is `{}` whatever its content type (a bare
 * `curl -X POST` sends none); a non-empty one must say it is JSON (415) and be an object (400), nested
 * at most `maxJsonDepth` deep, with no string PostgreSQL cannot store (400).
 */
export function parseJsonObject(raw: Uint8Array, contentType: string | null): Record<string, unknown> {
  if (raw.byteLength === 0) return {}
  if (!contentType || !jsonType.test(contentType.trim())) {
    throw new HttpError(
      'unsupported_media_type',
      `the body must be JSON with content-type application/json, got ${contentType ? JSON.stringify(contentType.slice(0, 100)) : 'none'}`,
    )
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw)
  } catch {
    throw new HttpError('invalid_input', 'the body is not valid UTF-8')
  }
  if (text.trim() === '') return {}
  if (jsonDepthExceeds(text, maxJsonDepth)) {
    throw new HttpError(
      'invalid_input',
      `the body nests arrays and objects deeper than ${maxJsonDepth} levels`,
    )
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new HttpError('invalid_input', 'the body is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError('invalid_input', 'the body must be a JSON object, like {}')
  }
  const issue = unstorableString(value)
  if (issue) {
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
    throw new HttpError('invalid_input', `the body${where}: ${issue.message}`, { issues: [issue] })
  }
  return value as Record<string, unknown>
}
