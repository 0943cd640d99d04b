import { NightshiftError } from '../errors.js'

/**
 * A host's own table on the dashboard: the core knows nothing of it but its title and its rows. Every
 * value is escaped; columns are the rows' keys in order of first appearance; at most 100 rows show.
 *
 * @example
 * const messages: DashboardPanel = {
 *   title: 'Messages',
 *   rows: async () => (await pool.query('select created_at, recipient, ok from message_audit order by id desc limit 20')).rows,
 * }
 */
export interface DashboardPanel {
  title: string
  rows: () => Promise<Record<string, unknown>[]>
}

/**
 * The dashboard's options (`createHandler(jobs, { dashboard })`); `dashboard: false` turns it off.
 *
 * @example
 * createHandler(jobs, { auth, dashboard: { title: 'Bookings — jobs', panels: [messages] } })
 */
export interface DashboardOptions {
  /** The page's heading and title. Default `nightshift`. */
  title?: string
  panels?: readonly DashboardPanel[]
}

/** The dashboard's options, checked once when the handler is created. */
export interface ResolvedDashboard {
  title: string
  panels: readonly DashboardPanel[]
}

function invalid(message: string): NightshiftError {
  return new NightshiftError('invalid_option', `createHandler({ dashboard }): ${message}`)
}

/** Checks `dashboard` options; undefined means the dashboard is off. */
export function resolveDashboard(
  options: DashboardOptions | false | undefined,
): ResolvedDashboard | undefined {
  if (options === false) return undefined
  const { title = 'nightshift', panels = [] } = options ?? {}
  if (typeof title !== 'string' || title.trim() === '') throw invalid('title must be a non-empty string')
  if (!Array.isArray(panels)) throw invalid('panels must be a list of { title, rows }')
  panels.forEach((panel: DashboardPanel, index) => {
    if (typeof panel?.title !== 'string' || typeof panel.rows !== 'function') {
      throw invalid(`panel ${index + 1} must be { title: string, rows: () => Promise<rows> }`)
    }
  })
  return { title, panels }
}
