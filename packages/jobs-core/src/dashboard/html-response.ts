import { HttpError, type HttpErrorCode, httpStatus } from '../http/http-responses.js'
import type { SafeHtml } from './html-escape.js'

/**
 * Headers of every dashboard page: the page runs no script and loads nothing, so the policy allows
 * only its inline styles, `data:` images and forms posting back to itself, and no framing.
 *
 * Referrer-Policy is `same-origin`, not `no-referrer`: under `no-referrer` a browser sends `Origin:
 * null` with the page's own form posts (https://fetch.spec.whatwg.org/#origin-header), which the
 * cross-site check must refuse. `same-origin` still sends nothing to any other origin.
 */
export const htmlSecurityHeaders: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'same-origin',
}

/** An HTML page with the dashboard's security headers. */
export function htmlResponse(status: number, page: SafeHtml, headers?: HeadersInit): Response {
  const merged = new Headers(headers)
  for (const [name, value] of Object.entries(htmlSecurityHeaders)) merged.set(name, value)
  return new Response(`<!doctype html>\n${page.text}`, { status, headers: merged })
}

/**
 * A 303 to `location`, a reference relative to the request's URL, so it is right whatever path the
 * host mounted the handler at.
 */
export function seeOther(location: string, headers?: HeadersInit): Response {
  const merged = new Headers(headers)
  merged.set('location', location)
  merged.set('cache-control', 'no-store')
  merged.set('referrer-policy', 'same-origin')
  return new Response(null, { status: 303, headers: merged })
}

/** An error of a browser route, answered with an HTML page instead of the contract's JSON. */
export class HtmlHttpError extends HttpError {
  constructor(
    code: HttpErrorCode,
    message: string,
    private readonly page: (status: number) => Response,
  ) {
    super(code, message)
  }

  override toResponse(): Response {
    return this.page(httpStatus(this.code))
  }
}
