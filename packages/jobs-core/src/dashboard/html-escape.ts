const replacements: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/**
 * HTML already safe to place in a page. `html` makes them; constructing one directly is for constant
 * markup written in this package (the page's styles), never for a value from outside, so a string can
 * never reach a page unescaped by being mistaken for markup.
 */
export class SafeHtml {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text
  }
}

/**
 * Escapes text for HTML element content and double- or single-quoted attribute values.
 *
 * @example
 * escapeHtml(`<script>alert("x")</script>`) // '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => replacements[character] as string)
}

function fragment(value: unknown): string {
  if (value instanceof SafeHtml) return value.text
  if (Array.isArray(value)) return value.map(fragment).join('')
  // `cond && html\`…\`` renders nothing when cond is false.
  if (value === null || value === undefined || value === false) return ''
  return escapeHtml(value)
}

/**
 * A template tag that escapes every interpolated value, except `SafeHtml` (from a nested `html`) and
 * arrays of either. Attribute values must be quoted in the template.
 *
 * @example
 * html`<td title="${job.error}">${job.name}</td>` // both values escaped
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let text = strings[0] ?? ''
  values.forEach((value, index) => {
    text += fragment(value) + (strings[index + 1] ?? '')
  })
  return new SafeHtml(text)
}
