import { messageOf, NightshiftError } from '../errors.js'
import type { ResolvedAuth } from '../http/auth/auth-options.js'
import { authenticateRequest } from '../http/auth/authenticate-request.js'
import { matchToken, tokenOf } from '../http/auth/bearer-auth.js'
import { signatureHeader } from '../http/auth/signed-request.js'
import { type Caller, exactly, type HandlerJobs, type Route, routeAllowed } from '../http/handler-routes.js'
import { HttpError, type HttpErrorCode } from '../http/http-responses.js'
import { parseJobId } from '../queue/job-id.js'
import type { ResolvedDashboard } from './dashboard-options.js'
import { dashboardPage, type PanelView } from './dashboard-page.js'
import {
  createSession,
  csrfMatches,
  csrfTokenFor,
  sessionCookie,
  sessionFromCookies,
  verifySession,
} from './dashboard-session.js'
import { finishedPerMinute } from './finished-per-minute.js'
import { HtmlHttpError, htmlResponse, seeOther } from './html-response.js'
import { loginPage } from './login-page.js'
import { messagePage } from './message-page.js'
import { recentFinishedJobs } from './recent-finished-jobs.js'
import { runningJobs } from './running-jobs.js'

/** What the dashboard's routes need from `createHandler`'s options. */
export interface DashboardRouteSettings {
  auth: ResolvedAuth
  header: string | undefined
  dashboard: ResolvedDashboard
}

const refreshSeconds = 10
const listLength = 20

/**
 * The way from a request's URL to the handler's base, as a relative reference, when the route's path
 * has `depth` segments. Links and redirects use it instead of absolute paths, so they are right
 * whether or not the host stripped a mount prefix (Express's `app.use('/functions/v1', …)`).
 */
function toBase(url: URL, depth: number): string {
  const parts = url.pathname.split('/').filter(Boolean)
  const directory = url.pathname.endsWith('/')
  if (depth > 0) return '../'.repeat(directory ? depth : depth - 1)
  // `<base>` without its slash: the page's directory is above the base.
  return directory || parts.length === 0 ? '' : `./${parts[parts.length - 1]}/`
}

/** The base path the request came through, for the cookie's Path (`/` when the host stripped it). */
function mountPath(url: URL, depth: number): string {
  const parts = url.pathname.split('/').filter(Boolean)
  const path = `/${parts.slice(0, Math.max(0, parts.length - depth)).join('/')}`
  return /^[\w/.~%-]*$/.test(path) ? path : '/'
}

function pageError(code: HttpErrorCode, message: string, back: string): HtmlHttpError {
  return new HtmlHttpError(code, message, (status) =>
    htmlResponse(status, messagePage('Not done', message, back)),
  )
}

/** A POST from a page of another origin is refused, whatever it carries. */
function refuseCrossSite(request: Request, back: string): void {
  const origin = request.headers.get('origin')
  if (origin !== null && origin !== new URL(request.url).origin) {
    throw pageError('forbidden', 'This request came from another site and was refused.', back)
  }
}

/**
 * The dashboard's rows of the handler's route table: the page (`GET <base>/`, `GET <base>/dashboard`),
 * login and logout (form posts that set and clear the session cookie), and Retry. Only these routes
 * read the session cookie; every other route knows nothing of it.
 */
export function dashboardRoutes(jobs: HandlerJobs, settings: DashboardRouteSettings): Route[] {
  const { auth, header, dashboard } = settings
  const dashboardTokens = auth.tokens.filter((token) => routeAllowed(token.scope, 'dashboard'))

  function loginRequired(request: Request, depth: number, message?: string, headers?: HeadersInit) {
    const url = new URL(request.url)
    const page = loginPage({
      title: dashboard.title,
      action: `${toBase(url, depth)}dashboard/login`,
      ...(message === undefined ? {} : { message }),
      tokensConfigured: auth.tokens.length > 0,
    })
    return new HtmlHttpError('unauthorized', message ?? 'sign in', (status) =>
      htmlResponse(status, page, headers),
    )
  }

  function authenticate(depth: number): Route['authenticate'] {
    return async ({ request, raw, now, path }): Promise<Caller> => {
      if (auth.none) return { scope: '*' }
      const signed = auth.signingKeys.length > 0 && request.headers.has(signatureHeader)
      if (signed || tokenOf(request.headers, header) !== undefined) {
        // A header decides alone, as on every other route; no cookie rescues a bad one.
        try {
          return await authenticateRequest(request, raw, auth, { header, now, path })
        } catch (error) {
          if (error instanceof HttpError && error.code === 'unauthorized') {
            throw loginRequired(request, depth, 'That token is not valid for the dashboard.')
          }
          throw error
        }
      }
      const session = sessionFromCookies(request.headers.get('cookie'))
      if (session === undefined) throw loginRequired(request, depth)
      const token = await verifySession(session, dashboardTokens, now)
      if (!token) {
        const url = new URL(request.url)
        const clear = sessionCookie('', { path: mountPath(url, depth), secure: url.protocol === 'https:' })
        throw loginRequired(request, depth, 'Your session has ended; sign in again.', { 'set-cookie': clear })
      }
      return { scope: token.scope, csrfToken: await csrfTokenFor(session, token.secret) }
    }
  }

  async function panelView(panel: ResolvedDashboard['panels'][number]): Promise<PanelView> {
    try {
      const rows = await panel.rows()
      if (!Array.isArray(rows)) throw new TypeError('rows() must resolve to an array of objects')
      return { title: panel.title, rows }
    } catch (error) {
      jobs.logger.error('nightshift dashboard panel failed', { panel: panel.title, error: messageOf(error) })
      return { title: panel.title, rows: undefined }
    }
  }

  function page(depth: number): Route {
    return {
      method: 'GET',
      match: depth === 0 ? exactly() : exactly('dashboard'),
      scope: () => 'dashboard',
      body: false,
      authenticate: authenticate(depth),
      async handle({ request, now, caller }) {
        const [stats, schedules, minutes, running, recent, failed, panels] = await Promise.all([
          jobs.stats(),
          jobs.schedules({ now, count: 1 }),
          finishedPerMinute(jobs.executor, jobs.schemaName),
          runningJobs(jobs.executor, jobs.schemaName, { limit: listLength }),
          recentFinishedJobs(jobs.executor, jobs.schemaName, { limit: listLength, onlyFailed: false }),
          recentFinishedJobs(jobs.executor, jobs.schemaName, { limit: listLength, onlyFailed: true }),
          Promise.all(dashboard.panels.map(panelView)),
        ])
        const view = {
          title: dashboard.title,
          stats,
          minutes,
          schedules,
          running,
          recent,
          failed,
          panels,
          generatedAt: now,
          toBase: toBase(new URL(request.url), depth),
          csrfToken: caller?.csrfToken,
          refreshSeconds,
        }
        return htmlResponse(200, dashboardPage(view))
      },
    }
  }

  return [
    page(0),
    page(1),
    {
      // A reload of a refused login lands here: back to the dashboard (and its login form).
      method: 'GET',
      match: exactly('dashboard', 'login'),
      scope: () => 'public',
      body: false,
      handle: async ({ request }) => seeOther(`${toBase(new URL(request.url), 2)}dashboard`),
    },
    {
      method: 'POST',
      match: exactly('dashboard', 'login'),
      scope: () => 'public',
      body: 'form',
      async handle({ request, body, now }) {
        const url = new URL(request.url)
        const back = `${toBase(url, 2)}dashboard`
        refuseCrossSite(request, back)
        if (auth.none) return seeOther(back)
        const token = typeof body.token === 'string' ? body.token.trim() : ''
        if (token === '') throw loginRequired(request, 2, 'Enter a token.')
        const match = auth.tokens.length > 0 ? await matchToken(token, auth.tokens) : undefined
        // The same answer for a wrong token and a token without the dashboard in its scope.
        if (!match || !routeAllowed(match.scope, 'dashboard')) {
          throw loginRequired(request, 2, 'That token is not valid for the dashboard.')
        }
        const session = await createSession(match.secret, now)
        const cookie = sessionCookie(session, { path: mountPath(url, 2), secure: url.protocol === 'https:' })
        return seeOther(back, { 'set-cookie': cookie })
      },
    },
    {
      method: 'POST',
      match: exactly('dashboard', 'logout'),
      scope: () => 'public',
      body: 'form',
      async handle({ request }) {
        const url = new URL(request.url)
        const back = `${toBase(url, 2)}dashboard`
        refuseCrossSite(request, back)
        const cookie = sessionCookie('', { path: mountPath(url, 2), secure: url.protocol === 'https:' })
        return seeOther(back, { 'set-cookie': cookie })
      },
    },
    {
      method: 'POST',
      match: (segments) =>
        segments.length === 4 &&
        segments[0] === 'dashboard' &&
        segments[1] === 'jobs' &&
        parseJobId(segments[2]) !== undefined &&
        segments[3] === 'retry'
          ? { id: segments[2] as string }
          : undefined,
      scope: () => 'dashboard',
      body: 'form',
      authenticate: authenticate(4),
      async handle({ request, params, body, caller }) {
        const back = `${toBase(new URL(request.url), 4)}dashboard`
        refuseCrossSite(request, back)
        const id = params.id as string
        if (caller?.csrfToken !== undefined) {
          const submitted = typeof body.csrf === 'string' ? body.csrf : undefined
          if (!csrfMatches(submitted, caller.csrfToken)) {
            throw pageError(
              'forbidden',
              'This form did not come from the dashboard; reload it and try again.',
              back,
            )
          }
        }
        try {
          await jobs.retry(id)
        } catch (error) {
          if (error instanceof NightshiftError && error.code === 'job_not_found') {
            throw pageError('not_found', `There is no job ${id}.`, back)
          }
          if (error instanceof NightshiftError && error.code === 'invalid_option') {
            throw pageError('invalid_input', error.message, back)
          }
          throw error
        }
        jobs.logger.info('nightshift dashboard retried a job', { jobId: id })
        return seeOther(back)
      },
    },
  ]
}

/** With `dashboard: false`, the dashboard's paths answer 404 (not a 405 from the job route). */
export function dashboardOffRoutes(): Route[] {
  return [exactly(), exactly('dashboard')].map((match) => ({
    method: 'GET' as const,
    match,
    scope: () => 'public',
    body: false,
    async handle(): Promise<Response> {
      throw new HttpError('not_found', 'the dashboard is turned off (createHandler({ dashboard: false }))')
    },
  }))
}
