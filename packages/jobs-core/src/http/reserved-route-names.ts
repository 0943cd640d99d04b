/**
 * The names of the HTTP handler's own routes (`<base>/tick`, `<base>/health`, `<base>/metrics`,
 * `<base>/jobs`, `<base>/dashboard`). A job is served at `<base>/<job name>`, so a job with one of these names would be
 * unreachable over HTTP: `defineJob` refuses them.
 *
 * @example
 * reservedRouteNames.includes('health') // true: defineJob({ name: 'health', ... }) throws
 */
export const reservedRouteNames: readonly string[] = ['dashboard', 'health', 'jobs', 'metrics', 'tick']
