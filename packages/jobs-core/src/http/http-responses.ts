import type { InputIssue } from '../errors.js'

/** The error codes the HTTP contract answers with, each with one status. */
export type HttpErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'unknown_job'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'job_failed'
  | 'database_unavailable'
  | 'internal'

const statusOf: Record<HttpErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  unknown_job: 404,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  // The job's own handler failed: the server worked, the work it fronts did not (a gateway error).
  job_failed: 502,
  // The database cannot be reached: the same request may work later, so callers retry (a 5xx) and
  // monitors tell it from a bug (500).
  database_unavailable: 503,
  internal: 500,
}

/** The status an error code is answered with. */
export function httpStatus(code: HttpErrorCode): number {
  return statusOf[code]
}

/** A JSON response; every body of the contract carries `ok`. */
export function jsonResponse(
  status: number,
  body: { ok: boolean; [field: string]: unknown },
  headers?: HeadersInit,
): Response {
  const merged = new Headers(headers)
  merged.set('content-type', 'application/json; charset=utf-8')
  merged.set('cache-control', 'no-store')
  return new Response(JSON.stringify(body), { status, headers: merged })
}

/** `{ ok: false, error: { code, message, issues? } }` with the status its code stands for. */
export function errorResponse(
  code: HttpErrorCode,
  message: string,
  extra: { issues?: InputIssue[]; headers?: HeadersInit; jobId?: string } = {},
): Response {
  const error = extra.issues ? { code, message, issues: extra.issues } : { code, message }
  const body = extra.jobId === undefined ? { ok: false, error } : { ok: false, jobId: extra.jobId, error }
  return jsonResponse(statusOf[code], body, extra.headers)
}

/** An error on the way through the handler that already knows its response. */
export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly extra: { issues?: InputIssue[]; headers?: HeadersInit } = {},
  ) {
    super(message)
  }

  toResponse(): Response {
    return errorResponse(this.code, this.message, this.extra)
  }
}
