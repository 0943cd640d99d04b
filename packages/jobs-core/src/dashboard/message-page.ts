import { dashboardLayout } from './dashboard-layout.js'
import { html, type SafeHtml } from './html-escape.js'

/** A short page saying why a dashboard action was refused, with a link back to the dashboard. */
export function messagePage(title: string, message: string, back: string): SafeHtml {
  return dashboardLayout(
    title,
    html`<h1>${title}</h1>
<p class="message" role="alert">${message}</p>
<p><a href="${back}">Back to the dashboard</a></p>`,
  )
}
