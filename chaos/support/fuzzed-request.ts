import fc from 'fast-check'

/**
 * One request a fuzz test sends, before it is addressed to a host: `path` is relative to the host's
 * base (`contract-echo`, `jobs/1?x=1`), or absolute when it starts with `/` (outside the base).
 * `signature` says how to sign it, since a valid signature depends on the host's base path.
 */
export interface FuzzedRequest {
  method: string
  path: string
  headers: Record<string, string>
  /** Sent as it is (bytes that are not UTF-8 included); never with GET or HEAD. */
  body: Uint8Array<ArrayBuffer>
  /** `fresh`: signed right; `stale`: signed ten minutes ago; `other-body`: signed for another body. */
  signature: 'fresh' | 'stale' | 'other-body' | undefined
}

/** The secrets a fuzzed request may carry, as the hosts under test accept them. */
export interface FuzzSecrets {
  allToken: string
  scopedToken: string
}

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`))
const weighted = <T>(likely: fc.Arbitrary<T>, weight: number, other: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: likely, weight }, { arbitrary: other, weight: 1 })
const encoder = new TextEncoder()
const utf8 = (text: string) => encoder.encode(text)

const knownRoutes = [
  'contract-echo',
  'contract-fail',
  'contract-scheduled',
  'process-queue',
  'tick',
  'health',
  'metrics',
  'jobs',
  'jobs/1',
  'jobs/99999999999999999999',
  'jobs/-1',
  '',
  'dashboard',
  'dashboard/login',
  'dashboard/jobs/1/retry',
]

const segment = fc.oneof(
  fc.constantFrom('contract-echo', 'jobs', 'dashboard', '..', '.', '%zz', '%2F', '%00', 'ü', '%E2%82%AC'),
  fc.stringMatching(/^[A-Za-z0-9%._~-]{0,16}$/),
  fc.constant('x'.repeat(3000)),
)

const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?limit=5',
    '?limit=-1',
    '?limit=abc',
    '?status=failed,bogus',
    '?cursor=%zz',
    '?name=contract-echo',
  ),
  printable(40).map((text) => `?${encodeURIComponent(text)}=${encodeURIComponent(text)}`),
)

const path = fc.tuple(
  weighted(
    fc.constantFrom(...knownRoutes),
    3,
    fc.oneof(
      fc.array(segment, { maxLength: 5 }).map((parts) => parts.join('/')),
      fc
        .tuple(
          fc.constantFrom('/', '/functions', '/functions/v1', '/other', '//'),
          fc.array(segment, { maxLength: 3 }),
        )
        .map(([prefix, parts]) => `${prefix}${prefix.endsWith('/') ? '' : '/'}${parts.join('/')}`),
    ),
  ),
  query,
)

const jsonBody = fc.oneof(
  fc.constantFrom('{}', '{"force":false}', '{"force_invoke":true}', '{"limit":10}', '{"message":"hi"}'),
  fc
    .record(
      {
        message: fc.oneof(fc.string({ maxLength: 250 }), fc.integer(), fc.constant(null)),
        force: fc.oneof(fc.boolean(), fc.string()),
        force_invoke: fc.anything(),
        limit: fc.oneof(fc.integer({ min: -5, max: 1005 }), fc.double(), fc.string()),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
  fc.json({ maxDepth: 4 }),
)

const body: fc.Arbitrary<Uint8Array<ArrayBuffer>> = fc.oneof(
  { weight: 6, arbitrary: jsonBody.map(utf8) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  // Bad JSON: cut short, trailing garbage, JSON that is not an object, nesting past any sane depth.
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        jsonBody.map((text) => text.slice(0, Math.max(1, text.length - 1))),
        jsonBody.map((text) => `${text}}`),
        fc.constantFrom(
          '[]',
          'null',
          '1',
          '"text"',
          '{"a":1,}',
          "{'a':1}",
          '{"message":"\\u0000"}',
          '{"a":"\\ud800"}',
        ),
        fc.integer({ min: 90, max: 2000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
        printable(200),
      )
      .map(utf8),
  },
  // Bytes that are not UTF-8.
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  // Past the default 1 MiB limit, or just under it.
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(1024 * 1024 - 100, 1024 * 1024 + 1, 2 * 1024 * 1024)
      .map((size) => utf8(`{"message":"${'x'.repeat(size)}"}`)),
  },
)

const contentType = weighted(
  fc.constant('application/json'),
  4,
  fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/vnd.api+json',
    ),
    printable(60),
  ),
)

const extraHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), printable(100), { maxKeys: 3 })

/**
 * Requests of every shape a host could be sent: known and random paths (percent-encoded, dot and
 * overlong segments, outside the base), any method, tokens right, scoped, wrong or malformed in any
 * header, signatures fresh, stale, for another body or garbage, JSON good and bad, non-UTF-8 bytes and
 * bodies past the size limit.
 *
 * @example
 * fc.assert(fc.asyncProperty(fuzzedRequest(secrets), async (request) => { ... }), { numRuns: 300 })
 */
export function fuzzedRequest(secrets: FuzzSecrets): fc.Arbitrary<FuzzedRequest> {
  const authorization = weighted(
    fc.constantFrom(`Bearer ${secrets.allToken}`, `Bearer ${secrets.scopedToken}`),
    3,
    fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(
        'Bearer wrong',
        `bearer ${secrets.allToken}`,
        secrets.allToken,
        `Bearer ${secrets.allToken}x`,
        `Bearer ${secrets.allToken.slice(0, -1)}`,
        'Basic YWRtaW46YWRtaW4=',
        'Bearer ',
      ),
      printable(80),
    ),
  )
  return fc
    .record({
      method: weighted(
        fc.constant('POST'),
        3,
        fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
      ),
      path,
      authorization,
      contentType,
      signature: weighted(
        fc.constant(undefined),
        5,
        fc.oneof(
          fc.constantFrom('fresh' as const, 'stale' as const, 'other-body' as const),
          fc.constant(undefined),
        ),
      ),
      garbageSignature: weighted(fc.constant(undefined), 8, printable(120)),
      extra: extraHeaders,
      body,
    })
    .map(({ method, path: [route, search], authorization: auth, contentType: type, ...rest }) => {
      const headers: Record<string, string> = { ...rest.extra }
      if (auth !== undefined) headers.authorization = auth
      if (type !== undefined) headers['content-type'] = type
      if (rest.garbageSignature !== undefined) headers['x-nightshift-signature'] = rest.garbageSignature
      const bodiless = method === 'GET' || method === 'HEAD'
      return {
        method,
        path: `${route}${search}`,
        headers,
        body: bodiless ? new Uint8Array(0) : rest.body,
        signature: rest.garbageSignature === undefined ? rest.signature : undefined,
      }
    })
}
