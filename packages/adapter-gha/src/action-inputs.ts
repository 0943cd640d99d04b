import * as core from '@actions/core'

/** What `mode: invoke` needs: one call of the HTTP contract. */
export interface InvokeInputs {
  mode: 'invoke'
  url: string
  /**
   * With `supabase-url` and `function`: the function's own URL, `<supabase-url>/functions/v1/<name>`
   * (the first segment of `function`), under which a Supabase function serves the contract's routes.
   */
  functionRoot: string | undefined
  token: string | undefined
  /** A header that carries the token instead of `Authorization: Bearer` (a `SCHEDULER_SECRET_HEADER`). */
  header: string | undefined
  signingKey: string | undefined
  /** The JSON body sent, `force` and `limit` merged in. */
  body: Record<string, unknown>
  timeoutMs: number
  retries: number
  dashboardUrl: string | undefined
}

/** What `mode: process` needs: the queue, drained inside the runner. */
export interface ProcessInputs {
  mode: 'process'
  databaseUrl: string
  jobsModule: string
  /** One job to trigger (its current slot); without it, due slots are enqueued and the queue drained. */
  job: string | undefined
  input: Record<string, unknown>
  force: boolean
  limit: number | undefined
  timeoutMs: number
  dashboardUrl: string | undefined
}

/** A wrong input: the step fails with this message before anything is sent. */
export class InputError extends Error {
  override name = 'InputError'
}

function optional(name: string): string | undefined {
  return core.getInput(name) || undefined
}

function whole(name: string, fallback: number, min: number, max: number): number {
  const text = core.getInput(name)
  if (text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InputError(
      `input ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
    )
  }
  return value
}

function flag(name: string): boolean {
  // An expression like `${{ inputs.force }}` is empty on a scheduled run: that is false.
  const text = core.getInput(name).toLowerCase()
  if (text === '' || text === 'false') return false
  if (text === 'true') return true
  throw new InputError(`input ${name} must be true or false, got ${JSON.stringify(core.getInput(name))}`)
}

function jsonObject(name: string): Record<string, unknown> {
  const text = core.getInput(name)
  if (text === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new InputError(`input ${name} is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(`input ${name} must be a JSON object like {"limit":10}, got ${text.slice(0, 100)}`)
  }
  return parsed as Record<string, unknown>
}

function endpoint(): { url: string; functionRoot: string | undefined } {
  const url = optional('url')
  const supabaseUrl = optional('supabase-url')
  const fn = optional('function')
  if (url && (supabaseUrl || fn))
    throw new InputError('give either url, or supabase-url and function, not both')
  const functions = supabaseUrl && `${supabaseUrl.replace(/\/+$/, '')}/functions/v1`
  const full = url ?? (functions && fn ? `${functions}/${fn}` : undefined)
  if (!full) throw new InputError('mode invoke needs url, or supabase-url and function')
  let parsed: URL
  try {
    parsed = new URL(full)
  } catch {
    // The URL usually comes from a secret: it is not repeated here.
    throw new InputError('url is not a valid absolute URL (check the secret or expression that makes it)')
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InputError(`url must be http or https, got ${parsed.protocol}`)
  }
  const functionRoot =
    !url && functions && fn ? `${functions}/${fn.split('/').filter(Boolean)[0]}` : undefined
  return { url: full, functionRoot }
}

/**
 * Reads and checks the step's inputs, masking every secret first, so nothing later (not even an error
 * about another input) can print one.
 */
export function readInputs(): InvokeInputs | ProcessInputs {
  for (const name of ['token', 'signing-key', 'database-url']) {
    const value = core.getInput(name)
    if (value) core.setSecret(value)
  }
  const mode = core.getInput('mode') || 'invoke'
  const dashboardUrl = optional('dashboard-url')
  const force = flag('force')
  const limitText = core.getInput('limit')
  const limit = limitText === '' ? undefined : whole('limit', 10, 1, 1000)
  const timeoutMs = whole('timeout-seconds', 300, 1, 6 * 3600) * 1000
  if (mode === 'process') {
    const databaseUrl = optional('database-url')
    const jobsModule = optional('jobs-module')
    if (!databaseUrl) throw new InputError('mode process needs database-url')
    if (!jobsModule)
      throw new InputError('mode process needs jobs-module (a module exporting the job definitions)')
    return {
      mode,
      databaseUrl,
      jobsModule,
      job: optional('job'),
      input: jsonObject('body'),
      force,
      limit,
      timeoutMs,
      dashboardUrl,
    }
  }
  if (mode !== 'invoke')
    throw new InputError(`input mode must be invoke or process, got ${JSON.stringify(mode)}`)
  const token = optional('token')
  const signingKey = optional('signing-key')
  if (!token && !signingKey) throw new InputError('mode invoke needs token or signing-key')
  const body = jsonObject('body')
  if (force) body.force = true
  if (limit !== undefined) body.limit = limit
  return {
    mode,
    ...endpoint(),
    token,
    header: optional('header'),
    signingKey,
    body,
    timeoutMs,
    retries: whole('retries', 3, 0, 10),
    dashboardUrl,
  }
}
