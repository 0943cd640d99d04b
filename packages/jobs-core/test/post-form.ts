/**
 * Posts a form as a browser would (application/x-www-form-urlencoded), without following redirects,
 * so a test sees the 303 and its Set-Cookie.
 *
 * @example
 * const response = await postForm(base, '/dashboard/login', { token })
 */
export function postForm(
  base: string,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  })
}
