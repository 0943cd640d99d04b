/**
 * Text as PostgreSQL's `text` can store it. `text` cannot hold U+0000 (SQLSTATE 22021), which a
 * handler's error message may carry (a C library's string, a binary body quoted in an exception); one
 * such message would fail the statement that records the run, and the run would stay `processing`
 * and run again. Each NUL becomes the six characters `\u0000`, so a reader still sees where it was.
 * Lone surrogates need nothing: the driver encodes them as U+FFFD.
 *
 * @example
 * storableText('bad byte \u0000 here') // 'bad byte \\u0000 here'
 */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\\u0000') : text
}
