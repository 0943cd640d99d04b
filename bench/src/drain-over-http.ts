import { runSql } from './bench-database.js'
import { nowMs } from './bench-library.js'

/**
 * Drains the queue the way a serverless host's caller does (a cron poking the queue route, the
 * Action's process mode): `POST {limit: 1000}` again while a call comes back full. Once a call claims
 * fewer than its limit, `remainingSql` (on a direct connection) confirms nothing is left, or the calls
 * go on. Returns the milliseconds from the first call to the empty queue.
 */
export async function drainOverHttp(
  routeUrl: string,
  directUrl: string,
  remainingSql: string,
): Promise<number> {
  const limit = 1000
  const started = nowMs()
  for (;;) {
    const response = await fetch(routeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ limit }),
    })
    const text = await response.text()
    if (!response.ok)
      throw new Error(`POST ${new URL(routeUrl).pathname} answered ${response.status}: ${text}`)
    const { claimed } = JSON.parse(text) as { claimed: number }
    if (claimed >= limit) continue
    const [row] = await runSql<{ n: number }>(directUrl, remainingSql)
    if (row?.n === 0) return nowMs() - started
  }
}
