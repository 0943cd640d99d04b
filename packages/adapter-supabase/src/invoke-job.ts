import {
  type AnyJobDefinition,
  type InputOf,
  sign,
  signatureHeader,
  type TriggerResult,
} from '@nightshift/jobs-core'
import { InvokeJobError } from './invoke-job-error.js'

/**
 * The part of a supabase-js client `invokeJob` uses (`createClient(...)` is one): typed by shape, so
 * this package needs no supabase-js at run time.
 *
 * @example
 * const client: FunctionsInvoker = createClient(SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY)
 */
export interface FunctionsInvoker {
  functions: {
    invoke(
      name: string,
      options: { body: string; headers: Record<string, string>; method: 'POST'; signal?: AbortSignal },
    ): Promise<{ data: unknown; error: unknown }>
  }
}

/**
 * Options of `invokeJob`.
 *
 * @example
 * await invokeJob(supabase, 'generate-monthly-invoices', {}, { force: true, functionName: 'nightshift' })
 */
export interface InvokeJobOptions {
  /** Run again on purpose, even when this slot already ran (the contract's `force`). */
  force?: boolean
  /** Sign the request (`x-nightshift-signature`) with this key instead of relying on the client's token. */
  signingKey?: string
  /** The function serving the job. Default the job's name; `nightshift` calls `/nightshift/<job>`. */
  functionName?: string
  signal?: AbortSignal
}

/**
 * The input `invokeJob` accepts: the job's input type when the definitions are given as a type
 * argument (`invokeJob<typeof jobs>(...)`), else any JSON object.
 *
 * @example
 * const input: InvokeInput<typeof definitions, 'send-report'> = { to: 'ada@example.com' }
 */
export type InvokeInput<
  Definitions extends readonly AnyJobDefinition[],
  Name,
> = readonly AnyJobDefinition[] extends Definitions ? Record<string, unknown> : InputOf<Definitions, Name>

async function errorBody(error: unknown): Promise<{ status?: number; body?: Record<string, unknown> }> {
  // supabase-js's FunctionsHttpError carries the function's Response as `context`.
  const context = (error as { context?: unknown }).context
  if (!(context instanceof Response)) return {}
  try {
    return { status: context.status, body: (await context.json()) as Record<string, unknown> }
  } catch {
    return { status: context.status }
  }
}

/**
 * Runs a job through its Edge Function with a supabase-js client (`client.functions.invoke`), as an
 * app or an existing scheduler would, and answers the contract's result: `completed`, `already-done`
 * (this slot ran), or `running` (past the function's deadline). A contract error (401, 403, 400 with
 * issues, 502 `job_failed`) is thrown as an `InvokeJobError` with its code, status and body.
 *
 * @example
 * const supabase = createClient(SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY)
 * const result = await invokeJob(supabase, 'run-escalation-orchestration', {}, { force: true })
 * console.log(result.status, result.jobId)
 */
export async function invokeJob<
  Definitions extends readonly AnyJobDefinition[] = readonly AnyJobDefinition[],
  Name extends Definitions[number]['name'] = Definitions[number]['name'],
>(
  client: FunctionsInvoker,
  name: Name,
  input: InvokeInput<Definitions, Name>,
  options: InvokeJobOptions = {},
): Promise<TriggerResult & { ok: true }> {
  const fields = input === undefined || input === null ? {} : (input as Record<string, unknown>)
  const body = JSON.stringify(options.force === undefined ? fields : { ...fields, force: options.force })
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (options.signingKey) {
    // The signature covers the job's route, whichever function serves it.
    headers[signatureHeader] = await sign({ method: 'POST', path: `/${name}`, body }, options.signingKey)
  }
  const functionName = options.functionName ? `${options.functionName}/${name}` : name
  const { data, error } = await client.functions.invoke(functionName, {
    body,
    headers,
    method: 'POST',
    signal: options.signal,
  })
  if (error) {
    const { status, body: answer } = await errorBody(error)
    const contract = answer?.error as { code?: string; message?: string } | undefined
    if (contract?.code) {
      throw new InvokeJobError(
        `${name}: ${contract.message ?? contract.code}`,
        contract.code,
        status,
        answer,
        {
          cause: error,
        },
      )
    }
    const message = error instanceof Error ? error.message : String(error)
    throw new InvokeJobError(`${name}: ${message}`, 'invoke_failed', status, answer, { cause: error })
  }
  const result = data as (TriggerResult & { ok?: unknown }) | null
  if (!result || typeof result !== 'object' || result.ok !== true || typeof result.status !== 'string') {
    throw new InvokeJobError(
      `${name}: the function did not answer the contract's JSON`,
      'invoke_failed',
      undefined,
      undefined,
    )
  }
  return result as TriggerResult & { ok: true }
}
