import type { StandardSchemaV1 } from '@standard-schema/spec'
import { formatIssues, type InputIssue } from './errors.js'

/**
 * A job's input schema: any Standard Schema validator (https://standardschema.dev), so zod (3.24 and
 * later, and 4), valibot (1.0 and later) and arktype (2.0 and later) all work as they are, with their
 * own versions in your app. Asynchronous validation (an async refinement) works too; a synchronous one
 * costs no promise.
 *
 * @example
 * defineJob({ name: 'send-email', input: z.object({ to: z.email() }), run: ({ to }) => send(to) })
 * defineJob({ name: 'send-email', input: v.object({ to: v.pipe(v.string(), v.email()) }), run: ({ to }) => send(to) })
 * defineJob({ name: 'send-email', input: type({ to: 'string.email' }), run: ({ to }) => send(to) })
 */
export type InputSchema = StandardSchemaV1

/** What a schema accepts (the type `enqueue` and `trigger` take). */
export type SchemaInput<Schema extends InputSchema> = StandardSchemaV1.InferInput<Schema>

/** What a schema gives the handler after validation (defaults filled in, transforms applied). */
export type SchemaOutput<Schema extends InputSchema> = StandardSchemaV1.InferOutput<Schema>

/** The schema of a job defined without `input`: any object (or nothing); the handler gets `{}`. */
export const noInput: StandardSchemaV1<Record<string, never>, Record<string, never>> = {
  '~standard': {
    version: 1,
    vendor: 'nightshift',
    validate: (value) =>
      value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value))
        ? { value: {} }
        : { issues: [{ message: `expected an object, got ${value === null ? 'null' : typeof value}` }] },
  },
}

/** How a value fared against a schema: the parsed value, or the issues as nightshift reports them. */
export type InputCheck<Output> =
  | { ok: true; value: Output }
  | { ok: false; issues: InputIssue[]; text: string }

/**
 * Validates `value` with a Standard Schema: synchronously when the schema does (no promise made), else
 * as a promise. An exception of the schema's own code (a refinement that throws) is thrown or rejected
 * as it is.
 *
 * @example
 * const check = await checkInput(schema, { to: 'ada@example.com' })
 * if (!check.ok) throw new NightshiftError('invalid_input', check.text, { issues: check.issues })
 */
export function checkInput<Schema extends InputSchema>(
  schema: Schema,
  value: unknown,
): InputCheck<SchemaOutput<Schema>> | Promise<InputCheck<SchemaOutput<Schema>>> {
  const result = schema['~standard'].validate(value)
  return result instanceof Promise ? result.then(toCheck<SchemaOutput<Schema>>) : toCheck(result)
}

function toCheck<Output>(result: StandardSchemaV1.Result<unknown>): InputCheck<Output> {
  if (result.issues === undefined) return { ok: true, value: result.value as Output }
  const { issues, text } = formatIssues(
    result.issues.map((issue) => ({
      message: issue.message,
      // Array.from: some libraries' paths are array subclasses with fields of their own (arktype's).
      path: Array.from(issue.path ?? [], (part) =>
        typeof part === 'object' && part !== null ? part.key : part,
      ),
    })),
  )
  return { ok: false, issues, text }
}
