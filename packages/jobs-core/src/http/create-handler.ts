import { type DashboardOptions, resolveDashboard } from '../dashboard/dashboard-options.js'
import { dashboardOffRoutes, dashboardRoutes } from '../dashboard/dashboard-routes.js'
import { messageOf, NightshiftError } from '../errors.js'
import { wholeNumberOption } from '../whole-number.js'
import { type AuthOptions, resolveAuth } from './auth/auth-options.js'
import { authenticateRequest } from './auth/authenticate-request.js'
import { signatureHeader } from './auth/signed-request.js'
import { type ContractRouteSettings, contractRoutes } from './contract-routes.js'
import { type Caller, type HandlerJobs, type Route, routeAllowed } from './handler-routes.js'
import { errorResponse, HttpError } from './http-responses.js'
import { parseFormBody } from './read-form-body.js'
import { parseJsonObject, readRawBody } from './read-json-body.js'
import { reservedRouteNames } from './reserved-route-names.js'
import { withinDeadline } from './within-deadline.js'

/** Options of `createHandler`. */
export interface HandlerOptions {
  /** Required: secrets, or `'none'` said on purpose. */
  auth: AuthOptions | 'none'
  /**
   * The path the routes sit under, e.g. `/functions/v1`. A request whose path starts with it has it
   * removed; any other path is taken as already relative (a host that mounts the handler with the
   * prefix stripped, like `app.use('/functions/v1', ...)`). Default `''`.
   */
  basePath?: string
  /** Name of the route that drains the queue. Default `process-queue` (the booking example: `notification-worker`). */
  queueRoute?: string
  /**
   * Most time the queue and tick routes spend processing. Default 50,000 ms (below Supabase's 150 s).
   * It bounds every route's wait on the database too, counted from when the route starts (after auth
   * and the body): a route still waiting 2 s past it (a database that hangs, whatever `queryTimeoutMs`
   * says) is answered 503 `database_unavailable`. A trigger's bound is the larger of this and `waitMs`.
   */
  deadlineMs?: number
  /** How long a trigger waits for its job before answering `running`. Default `deadlineMs`. */
  waitMs?: number
  /** Largest body accepted. Default 1 MiB. */
  maxBodyBytes?: number
  /** Make `GET <base>/health` require a token with scope `health` or `*`. Default false. */
  healthRequiresAuth?: boolean
  /** A header that carries the token instead of `Authorization: Bearer` (e.g. a cron setup's `SCHEDULER_SECRET_HEADER`). */
  header?: string
  /**
   * The dashboard at `GET <base>/` and `GET <base>/dashboard` (see docs/http-contract.md): a title and
   * the host's own panels, or `false` to turn it off (404). Default on, titled `nightshift`.
   */
  dashboard?: DashboardOptions | false
  /** The clock, for tests. Default `() => new Date()`. */
  now?: () => Date
}

/** Routes that are not jobs; a job with one of these names would be unreachable. */

/**
 * What a host tells the handler about one request. `mountPath`: the path prefix the host routed on
 * (Express's `req.baseUrl`) when it passes the request's full URL, as the browser sent it. Routes match
 * after `mountPath` and `basePath`; the dashboard's links and its cookie's Path follow the full URL, so
 * they are right at `<mount>` without a trailing slash too.
 *
 * @example
 * // A host that routed `/jobs/...` here and kept the full URL:
 * const response = await handler(request, { mountPath: '/jobs' })
 */
export interface HandlerRequestContext {
  mountPath?: string
}

/**
 * The handler `createHandler` returns: web-standard, with what a host may add about the request.
 *
 * @example
 * const handler: Handler = createHandler(jobs, { auth: { tokens: [token] } })
 * Deno.serve((request) => handler(request))
 */
export type Handler = (request: Request, context?: HandlerRequestContext) => Promise<Response>

/**
 * The route a URL path names: its segments after `basePath`, decoded for matching, and its path as a
 * signature covers it (`/` and the segments as sent, still percent-encoded, no empty segment), which
 * is the same whatever prefix the host mounted the handler under.
 */
function routeOf(pathname: string, basePath: string): { segments: string[]; path: string } | undefined {
  let rest = pathname
  if (basePath && (rest === basePath || rest.startsWith(`${basePath}/`))) rest = rest.slice(basePath.length)
  const raw = rest.split('/').filter((part) => part !== '')
  const segments: string[] = []
  for (const part of raw) {
    try {
      segments.push(decodeURIComponent(part))
    } catch {
      return undefined
    }
  }
  return { segments, path: `/${raw.join('/')}` }
}

/**
 * The HTTP contract as one web-standard function `(Request) => Promise<Response>`: Node 20, Deno and
 * every adapter serve it as it is. Routes (under `basePath`):
 *
 * - `POST /<job-name>` runs `jobs.trigger` (body: the job's input plus `force` / `force_invoke`);
 *   200 completed or already-done, 202 running (deadline reached), 502 `job_failed` with the job id.
 * - `POST /<queueRoute>` `{ limit }` drains the queue; `POST /tick` enqueues due slots and runs them.
 * - `GET /health` counts and ages, 200 healthy (no stuck job) or 503; `GET /jobs/<id>` one job.
 * - `GET /` and `GET /dashboard`: the HTML dashboard (scope `dashboard`; a login form sets a cookie
 *   that only the dashboard's routes accept), with `POST /dashboard/jobs/<id>/retry`.
 *
 * Scopes: a token listed with names may call those jobs and the routes it names: the queue route's
 * name, `tick`, `jobs` (read job status), `health` (when it requires auth), `dashboard`. `'*'` reaches all.
 * Order of checks: route (404) → method (405) → body size (413) → auth (401) → scope (403) →
 * JSON (415/400) → the job. Nothing is written for a request rejected by any of them. `HEAD` answers
 * wherever `GET` does, without the body. A signature (`sign`) covers the method, the route's path
 * relative to `basePath` and the host's mount (`/<job-name>`), and the body.
 *
 * @example
 * const handler = createHandler(jobs, {
 *   basePath: '/functions/v1',
 *   queueRoute: 'notification-worker',
 *   auth: { tokens: { [serviceRoleKey]: '*', [cronSecret]: ['run-escalation-orchestration'] } },
 * })
 * Deno.serve(handler) // or: http.createServer(toNode(handler)), app.use(toExpress(handler))
 */
export function createHandler(jobs: HandlerJobs, options: HandlerOptions): Handler {
  if (!options || typeof options !== 'object') {
    throw new NightshiftError(
      'invalid_option',
      "createHandler(jobs, options): options are required, with auth (or auth: 'none')",
    )
  }
  const auth = resolveAuth(options.auth)
  const basePath = (options.basePath ?? '').replace(/\/+$/, '')
  if (basePath !== '' && !basePath.startsWith('/')) {
    throw new NightshiftError(
      'invalid_option',
      `createHandler({ basePath }) must start with "/", got ${JSON.stringify(basePath)}`,
    )
  }
  const queueRoute = options.queueRoute ?? 'process-queue'
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(queueRoute) || reservedRouteNames.includes(queueRoute)) {
    throw new NightshiftError(
      'invalid_option',
      `createHandler({ queueRoute }) must be a kebab-case name other than ${reservedRouteNames.join(', ')}, got ${JSON.stringify(queueRoute)}`,
    )
  }
  for (const name of [...reservedRouteNames, queueRoute]) {
    if (jobs.definitions.has(name)) {
      throw new NightshiftError(
        'invalid_option',
        `job "${name}" has the name of a handler route; rename the job or set queueRoute`,
      )
    }
  }
  const deadlineMs = wholeNumberOption('createHandler', 'deadlineMs', options.deadlineMs, 50_000)
  const settings: ContractRouteSettings = {
    queueRoute,
    deadlineMs,
    waitMs: wholeNumberOption('createHandler', 'waitMs', options.waitMs, deadlineMs),
    healthRequiresAuth: options.healthRequiresAuth ?? false,
  }
  const maxBodyBytes = wholeNumberOption('createHandler', 'maxBodyBytes', options.maxBodyBytes, 1024 * 1024)
  const header = options.header?.toLowerCase()
  const clock = options.now ?? (() => new Date())
  const dashboard = resolveDashboard(options.dashboard)
  // No dashboard row shares a method and a path with a contract row (the job row is POST of one
  // segment, the dashboard's one-segment row is GET), so their order does not matter.
  const routes: Route[] = [
    ...contractRoutes(jobs, settings),
    ...(dashboard ? dashboardRoutes(jobs, { auth, header, dashboard }) : dashboardOffRoutes()),
  ]

  async function respond(request: Request, mountPath: string): Promise<Response> {
    const url = new URL(request.url)
    const target = routeOf(url.pathname, mountPath + basePath)
    if (!target) throw new HttpError('not_found', 'no route at this path')
    const { segments, path } = target
    const matching = routes.flatMap((route) => {
      const params = route.match(segments)
      return params ? [{ route, params }] : []
    })
    if (matching.length === 0) throw new HttpError('not_found', 'no route at this path')
    // HEAD is GET without the body (RFC 9110 §9.3.2): it runs the GET row; the body is dropped below.
    const method = request.method === 'HEAD' ? 'GET' : request.method
    const chosen = matching.find(({ route }) => route.method === method)
    if (!chosen) {
      const methods = new Set(
        matching.flatMap(({ route }) => (route.method === 'GET' ? ['GET', 'HEAD'] : [route.method])),
      )
      const allow = [...methods].sort().join(', ')
      throw new HttpError('method_not_allowed', `use ${allow} at this path`, { headers: { allow } })
    }
    const { route, params } = chosen
    const now = clock()
    const scopeName = route.scope(params)
    const allowed = (caller: Caller): Caller => {
      if (!routeAllowed(caller.scope, scopeName)) {
        throw new HttpError('forbidden', `this token may not call ${JSON.stringify(scopeName.slice(0, 100))}`)
      }
      return caller
    }
    // Only a signature (or a route's own check, the dashboard's) reads the body: a bearer token is decided
    // before it, so an unauthenticated upload is refused without being read.
    const signed = !auth.none && auth.signingKeys.length > 0 && request.headers.has(signatureHeader)
    let caller: Caller | undefined
    if (scopeName !== 'public' && !route.authenticate && !signed) {
      caller = allowed(await authenticateRequest(request, new Uint8Array(0), auth, { header, now, path }))
    }
    const raw = route.body ? await readRawBody(request, maxBodyBytes) : new Uint8Array(0)
    if (scopeName !== 'public' && caller === undefined) {
      caller = allowed(
        route.authenticate
          ? await route.authenticate({ request, raw, now, path })
          : await authenticateRequest(request, raw, auth, { header, now, path }),
      )
    }
    const contentType = request.headers.get('content-type')
    const body =
      route.body === 'form'
        ? parseFormBody(raw, contentType)
        : route.body
          ? parseJsonObject(raw, contentType)
          : {}
    // The route's work starts here, and so does its deadline (the queue route's `process` counts its own
    // from here too): past it, a database that does not answer is a 503, not a wait of queryTimeoutMs.
    return withinDeadline(
      route.handle({ request, params, body, now, caller }),
      route.deadlineMs ?? deadlineMs,
      jobs.logger,
    )
  }

  async function answer(request: Request, context: HandlerRequestContext | undefined): Promise<Response> {
    try {
      // Deno.serve passes its own second argument (connection info), which has no mountPath.
      const mount = typeof context?.mountPath === 'string' ? context.mountPath.replace(/\/+$/, '') : ''
      return await respond(request, mount)
    } catch (error) {
      if (error instanceof HttpError) return error.toResponse()
      if (error instanceof NightshiftError && error.code === 'database_unavailable') {
        // Logged by message (it names the host and port, never the credentials); the caller is told
        // only that the database is away, and to come back.
        jobs.logger.error('nightshift handler cannot reach the database', { error: messageOf(error) })
        return errorResponse('database_unavailable', 'the database cannot be reached; try again later')
      }
      // Unknown failures: logged by message only (no stack, body or header), answered without detail.
      jobs.logger.error('nightshift handler failed', { error: messageOf(error) })
      return errorResponse('internal', 'internal error')
    }
  }

  return async (request, context) => {
    const response = await answer(request, context)
    if (request.method !== 'HEAD') return response
    // The GET's status and headers, no body; content-length would describe the body not sent.
    const headers = new Headers(response.headers)
    headers.delete('content-length')
    return new Response(null, { status: response.status, statusText: response.statusText, headers })
  }
}
