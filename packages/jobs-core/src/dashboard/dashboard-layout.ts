import { html, SafeHtml } from './html-escape.js'

// Inline only: the Content-Security-Policy allows inline styles and nothing external.
const styles = `
:root { color-scheme: light dark; --ok: #2f9e44; --bad: #e03131; --muted: #868e96; --line: #8883; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1rem 1.25rem 3rem; }
header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
header h1 { font-size: 1.4rem; margin: 0; }
header .meta { color: var(--muted); flex: 1; }
h2 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: .5rem; margin-top: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; }
.card .label { color: var(--muted); font-size: .8rem; }
.card .value { font-size: 1.5rem; font-variant-numeric: tabular-nums; }
.card.alert { border-color: var(--bad); }
.card.alert .value { color: var(--bad); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; font-size: .85rem; color: var(--muted); }
td.error { color: var(--bad); max-width: 420px; overflow-wrap: anywhere; white-space: pre-wrap; }
.status-completed { color: var(--ok); } .status-failed { color: var(--bad); }
.empty { color: var(--muted); }
.chart { display: block; width: 100%; height: auto; }
.chart text { font-size: 11px; fill: var(--muted); }
.chart .axis { stroke: var(--line); }
.chart .completed { fill: var(--ok); } .chart .failed { fill: var(--bad); }
.chart .hover { fill: transparent; } .chart g:hover .hover { fill: #8882; }
.legend span { margin-right: 1rem; } .legend .c { color: var(--ok); } .legend .f { color: var(--bad); }
form.inline { display: inline; margin: 0; }
button { font: inherit; padding: .2rem .7rem; cursor: pointer; }
.login { max-width: 380px; margin: 3rem auto; }
.login input { font: inherit; width: 100%; box-sizing: border-box; padding: .4rem; margin: .3rem 0 .8rem; }
.message { border-left: 4px solid var(--bad); padding: .4rem .8rem; margin: 1rem 0; }
`

/** The document around every dashboard page: title, inline styles, optional self-refresh. */
export function dashboardLayout(
  title: string,
  body: SafeHtml,
  options: { refreshSeconds?: number } = {},
): SafeHtml {
  return html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds !== undefined && html`<meta http-equiv="refresh" content="${options.refreshSeconds}">`}
<title>${title}</title>
<style>${new SafeHtml(styles)}</style>
</head>
<body>
${body}
</body>
</html>`
}
