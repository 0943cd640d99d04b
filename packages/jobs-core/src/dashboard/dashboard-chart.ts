import type { FinishedMinute } from './finished-per-minute.js'
import { html, type SafeHtml } from './html-escape.js'

const width = 720
const height = 140
const plotTop = 16
const plotBottom = height - 20

function hhmm(date: Date): string {
  return date.toISOString().slice(11, 16)
}

/**
 * Jobs completed (green) and failed (red, stacked on top) per minute as an inline SVG bar chart: no
 * script, no external asset. Each minute is a `<g>` with its numbers in `data-*` and a `<title>` tooltip.
 */
export function finishedChart(minutes: readonly FinishedMinute[]): SafeHtml {
  const highest = Math.max(1, ...minutes.map((minute) => minute.completed + minute.failed))
  const slot = width / Math.max(1, minutes.length)
  const scale = (plotBottom - plotTop) / highest
  const bars = minutes.map((minute, index) => {
    const x = (index * slot + 1).toFixed(1)
    const barWidth = Math.max(1, slot - 2).toFixed(1)
    const completedHeight = minute.completed * scale
    const failedHeight = minute.failed * scale
    const label = `${hhmm(minute.minute)} UTC: ${minute.completed} completed, ${minute.failed} failed`
    return html`<g data-minute="${minute.minute.toISOString()}" data-completed="${minute.completed}" data-failed="${minute.failed}"><title>${label}</title>${
      minute.completed > 0 &&
      html`<rect class="completed" x="${x}" y="${(plotBottom - completedHeight).toFixed(1)}" width="${barWidth}" height="${completedHeight.toFixed(1)}"/>`
    }${
      minute.failed > 0 &&
      html`<rect class="failed" x="${x}" y="${(plotBottom - completedHeight - failedHeight).toFixed(1)}" width="${barWidth}" height="${failedHeight.toFixed(1)}"/>`
    }<rect class="hover" x="${x}" y="${plotTop}" width="${barWidth}" height="${plotBottom - plotTop}"/></g>`
  })
  const first = minutes[0]
  const completed = minutes.reduce((sum, minute) => sum + minute.completed, 0)
  const failed = minutes.reduce((sum, minute) => sum + minute.failed, 0)
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${`Last hour: ${completed} completed, ${failed} failed`}" xmlns="http://www.w3.org/2000/svg">
<line class="axis" x1="0" y1="${plotBottom}" x2="${width}" y2="${plotBottom}"/>
<text x="2" y="11">${highest} per minute</text>
${bars}
<text x="2" y="${height - 4}">${first ? `${hhmm(first.minute)} UTC` : ''}</text>
<text x="${width - 2}" y="${height - 4}" text-anchor="end">now</text>
</svg>`
}
