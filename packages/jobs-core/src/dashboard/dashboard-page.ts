import type { QueueStats } from '../queue/queue-stats.js'
import type { ScheduleInfo } from '../schedules/list-schedules.js'
import { finishedChart } from './dashboard-chart.js'
import { formatCell, formatDuration, formatTime } from './dashboard-format.js'
import { dashboardLayout } from './dashboard-layout.js'
import type { FinishedMinute } from './finished-per-minute.js'
import { html, type SafeHtml } from './html-escape.js'
import type { FinishedJob } from './recent-finished-jobs.js'
import type { RunningJob } from './running-jobs.js'

/** A host panel as read for one page: its rows, or that reading them failed. */
export interface PanelView {
  title: string
  rows: Record<string, unknown>[] | undefined
}

/** Everything one dashboard page shows. */
export interface DashboardView {
  title: string
  stats: QueueStats
  minutes: readonly FinishedMinute[]
  schedules: readonly ScheduleInfo[]
  running: readonly RunningJob[]
  recent: readonly FinishedJob[]
  failed: readonly FinishedJob[]
  panels: readonly PanelView[]
  generatedAt: Date
  /** The way from the page's URL to the handler's base, e.g. `''` or `../`. */
  toBase: string
  /** Present when a session cookie signed the page in: forms carry it, and a Sign out button shows. */
  csrfToken: string | undefined
  refreshSeconds: number
}

const statuses = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const

function card(label: string, value: string | number, alert = false): SafeHtml {
  return html`<div class="${alert ? 'card alert' : 'card'}" data-stat="${label}"><div class="label">${label}</div><div class="value">${value}</div></div>`
}

function empty(columns: number, text: string): SafeHtml {
  return html`<tr><td class="empty" colspan="${columns}">${text}</td></tr>`
}

function schedulesTable(schedules: readonly ScheduleInfo[]): SafeHtml {
  const rows = schedules.map(
    (schedule) => html`<tr data-schedule="${schedule.name}">
<td>${schedule.name}</td><td>${schedule.description}<br><code>${schedule.cron}</code></td><td>${schedule.timezone}</td>
<td>${formatTime(schedule.lastSlot)}</td><td>${schedule.nextRuns[0]?.local ?? '—'}</td></tr>`,
  )
  return html`<table><thead><tr><th>job</th><th>when</th><th>time zone</th><th>last slot (UTC)</th><th>next run (local)</th></tr></thead>
<tbody>${rows.length > 0 ? rows : empty(5, 'No scheduled jobs.')}</tbody></table>`
}

function runningTable(view: DashboardView): SafeHtml {
  const rows = view.running.map(
    (job) => html`<tr data-running-job-id="${job.id}">
<td>${job.id}</td><td>${job.name}</td><td>${job.attempts} / ${job.maxAttempts}</td>
<td>${job.startedAt ? formatDuration(view.generatedAt.getTime() - job.startedAt.getTime()) : '—'}</td>
<td class="progress">${formatCell(job.progress)}</td></tr>`,
  )
  return html`<table><thead><tr><th>id</th><th>job</th><th>attempt</th><th>running for</th><th>progress</th></tr></thead>
<tbody>${rows.length > 0 ? rows : empty(5, 'No job is running.')}</tbody></table>`
}

function runsTable(runs: readonly FinishedJob[]): SafeHtml {
  const rows = runs.map(
    (run) => html`<tr data-job-id="${run.id}">
<td>${run.id}</td><td>${run.name}</td><td class="${`status-${run.status}`}">${run.status}</td>
<td>${run.attempts} / ${run.maxAttempts}</td><td>${formatDuration(run.durationMs)}</td><td>${formatTime(run.endedAt)}</td>
<td class="error">${run.errorMessage ?? ''}</td></tr>`,
  )
  return html`<table><thead><tr><th>id</th><th>job</th><th>status</th><th>attempts</th><th>duration</th><th>ended (UTC)</th><th>error</th></tr></thead>
<tbody>${rows.length > 0 ? rows : empty(7, 'No finished jobs yet.')}</tbody></table>`
}

function failedTable(view: DashboardView): SafeHtml {
  const rows = view.failed.map(
    (job) => html`<tr data-failed-job-id="${job.id}">
<td>${job.id}</td><td>${job.name}</td><td>${job.attempts} / ${job.maxAttempts}</td><td>${formatTime(job.endedAt)}</td>
<td class="error">${job.errorMessage ?? ''}</td>
<td><form class="inline" method="post" action="${`${view.toBase}dashboard/jobs/${encodeURIComponent(job.id)}/retry`}">
${view.csrfToken !== undefined && html`<input type="hidden" name="csrf" value="${view.csrfToken}">`}
<button type="submit">Retry</button></form></td></tr>`,
  )
  return html`<table><thead><tr><th>id</th><th>job</th><th>attempts</th><th>failed at (UTC)</th><th>error</th><th></th></tr></thead>
<tbody>${rows.length > 0 ? rows : empty(6, 'No failed jobs.')}</tbody></table>`
}

function panelTable(panel: PanelView): SafeHtml {
  if (!panel.rows)
    return html`<p class="message">This panel could not be read; the error is in the server's log.</p>`
  const rows = panel.rows.slice(0, 100)
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  if (rows.length === 0) return html`<p class="empty">No rows.</p>`
  return html`<table><thead><tr>${columns.map((column) => html`<th>${column}</th>`)}</tr></thead>
<tbody>${rows.map((row) => html`<tr>${columns.map((column) => html`<td>${formatCell(row[column])}</td>`)}</tr>`)}</tbody></table>`
}

/**
 * The dashboard: the queue's counts, oldest pending age and stuck jobs, a chart of the last hour,
 * schedules, recent runs, failed jobs with Retry, and the host's panels. Every value is escaped.
 */
export function dashboardPage(view: DashboardView): SafeHtml {
  const { stats } = view
  // A finished status past the count limit shows as "10000+": health stops counting history there.
  const countOf = (status: (typeof statuses)[number]): string =>
    `${stats.counts[status]}${(stats.countsAtLimit as readonly string[]).includes(status) ? '+' : ''}`
  const failedTotal = countOf('failed')
  const body = html`<header>
<h1>${view.title}</h1>
<span class="meta">${formatTime(view.generatedAt)} · refreshes every ${view.refreshSeconds} s</span>
${
  view.csrfToken !== undefined &&
  html`<form class="inline" method="post" action="${`${view.toBase}dashboard/logout`}"><button type="submit">Sign out</button></form>`
}
</header>
<section class="cards" aria-label="queue">
${statuses.map((status) => card(status, countOf(status), status === 'failed' && stats.counts.failed > 0))}
${card('oldest pending', stats.oldestPendingSeconds > 0 ? formatDuration(stats.oldestPendingSeconds * 1000) : '—')}
${card('stuck', stats.stuck, stats.stuck > 0)}
</section>
<h2>Finished per minute, last hour</h2>
<p class="legend"><span class="c">■ completed</span><span class="f">■ failed</span></p>
${finishedChart(view.minutes)}
<h2>Schedules</h2>
${schedulesTable(view.schedules)}
<h2>Running now</h2>
${runningTable(view)}
<h2>Recent runs</h2>
${runsTable(view.recent)}
<h2>Failed jobs${stats.counts.failed > view.failed.length ? ` (latest ${view.failed.length} of ${failedTotal})` : ''}</h2>
${failedTable(view)}
${view.panels.map((panel) => html`<h2>${panel.title}</h2>${panelTable(panel)}`)}`
  return dashboardLayout(view.title, body, { refreshSeconds: view.refreshSeconds })
}
