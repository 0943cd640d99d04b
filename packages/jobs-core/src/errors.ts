/** Every code a nightshift error can carry; each is one thing a caller can act on. */
export type NightshiftErrorCode =
  | 'unknown_job'
  | 'invalid_input'
  | 'invalid_definition'
  | 'invalid_option'
  /** The database could not be reached; the message names its host and port (never credentials). */
  | 'database_unavailable'
  /** nightshift's tables are missing in this database: run `jobs.migrate()`. */
  | 'not_migrated'
  | 'job_not_found'
  | 'job_failed'
  /** `ctx.transaction`: the run no longer held its job at commit time; its writes were rolled back. */
  | 'lease_lost'
  | 'internal'

/** One problem found while validating input, as the job's schema (zod, valibot, arktype, …) reports it. */
export interface InputIssue {
  path: (string | number)[]
  message: string
}

/**
 * Validation issues (a Standard Schema validator's, or any with a path and a message) as nightshift reports them: `issues`
 * for `NightshiftError.issues` and HTTP bodies, `text` for a message, `a.b: message; (root): message`.
 *
 * @example
 * const parsed = schema.safeParse(input)
 * if (!parsed.success) {
 *   const { issues, text } = formatIssues(parsed.error.issues)
 *   throw new NightshiftError('invalid_input', `invalid input: ${text}`, { issues })
 * }
 */
export function formatIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): {
  issues: InputIssue[]
  text: string
} {
  const listed = issues.map((issue) => ({
    path: Array.from(issue.path, (part) => (typeof part === 'number' ? part : String(part))),
    message: issue.message,
  }))
  const text = listed.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')
  return { issues: listed, text }
}

/**
 * The one error class nightshift throws. `code` says what went wrong; `cause` keeps what caused it.
 *
 * @example
 * try {
 *   await jobs.enqueue('send-email', { to: 'not an address' })
 * } catch (error) {
 *   if (error instanceof NightshiftError && error.code === 'invalid_input') console.log(error.issues)
 * }
 */
export class NightshiftError extends Error {
  override name = 'NightshiftError'
  readonly code: NightshiftErrorCode
  readonly issues: InputIssue[] | undefined

  constructor(
    code: NightshiftErrorCode,
    message: string,
    options: { cause?: unknown; issues?: InputIssue[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.issues = options.issues
  }
}

/** The message of anything thrown, without its stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return String(error)
  }
}
