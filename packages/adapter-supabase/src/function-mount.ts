/**
 * Where a deployed function's routes start. Supabase hands a function the path after `/functions/v1`,
 * so every request starts with `/<function-name>`
 * (https://supabase.com/docs/guides/functions/routing). The function's own name, alone, is the route
 * of that name (its job, or the queue route): `POST /generate-t5-invoices` runs the job, as the
 * original curl commands call it. Anything after the name is a route under it: `/<fn>/<job>`,
 * `/<fn>/health`, `/<fn>/jobs/42`, so one function can serve every job.
 *
 * @example
 * functionMount('/generate-t5-invoices', routeNames) // '' (the path is the job's route)
 * functionMount('/nightshift/generate-t5-invoices', routeNames) // '/nightshift'
 */
export function functionMount(pathname: string, routeNames: ReadonlySet<string>): string {
  const match = /^\/([^/]+)(\/.*)?$/.exec(pathname)
  if (!match) return ''
  const [, name = '', rest = ''] = match
  let decoded: string
  try {
    decoded = decodeURIComponent(name)
  } catch {
    return ''
  }
  if (rest.replace(/\/+$/, '') === '' && routeNames.has(decoded)) return ''
  return `/${name}`
}
