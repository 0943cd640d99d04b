import { dashboardLayout } from './dashboard-layout.js'
import { html, type SafeHtml } from './html-escape.js'

/** What the login page says and where its form posts. */
export interface LoginPageOptions {
  title: string
  /** The login route, relative to the page's URL. */
  action: string
  /** Why the form is shown again; never contains the token that was sent. */
  message?: string
  /** The handler has signing keys but no tokens: no one can log in. */
  tokensConfigured: boolean
}

/** The dashboard's login form: one password field for a token with scope `dashboard` or `*`. */
export function loginPage(options: LoginPageOptions): SafeHtml {
  const body = options.tokensConfigured
    ? html`<form class="login" method="post" action="${options.action}">
<h1>${options.title}</h1>
<p>Sign in with a token whose scope is <code>*</code> or lists <code>dashboard</code>.</p>
${options.message !== undefined && html`<p class="message" role="alert">${options.message}</p>`}
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>`
    : html`<div class="login">
<h1>${options.title}</h1>
<p class="message" role="alert">This dashboard needs a token, and the handler has signing keys only.
Add a token with scope <code>*</code> or <code>['dashboard']</code> to <code>auth.tokens</code>
(or use <code>auth: 'none'</code> for a local run).</p>
</div>`
  return dashboardLayout(`Sign in — ${options.title}`, body)
}
