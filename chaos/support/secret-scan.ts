/** The secrets a test file has named, kept on the global so the setup file and the tests share them. */
const global = globalThis as { __nightshiftTestSecrets?: Map<string, string> }
global.__nightshiftTestSecrets ??= new Map()
const registry = global.__nightshiftTestSecrets

/**
 * Names values that must never be printed: `secret-scan-setup.ts` fails the test file when any of them
 * appears in what it wrote to the console, stdout or stderr. `secretsIn` registers what it is asked about.
 *
 * @example
 * registerSecrets({ SERVICE_ROLE_KEY: key })
 */
export function registerSecrets(secrets: Record<string, string>): void {
  for (const [name, value] of Object.entries(secrets)) if (value.length > 0) registry.set(name, value)
}

/** Every secret registered in this test file so far. */
export function registeredSecrets(): Record<string, string> {
  return Object.fromEntries(registry)
}

/**
 * The names of the secrets whose value appears in `text`: a chaos test scans everything its hosts
 * logged or printed with it, and expects none. The secrets are registered too (see `registerSecrets`).
 *
 * @example
 * expect(secretsIn(host.output(), { SERVICE_ROLE_KEY: key })).toEqual([])
 */
export function secretsIn(text: string, secrets: Record<string, string>): string[] {
  registerSecrets(secrets)
  return Object.entries(secrets)
    .filter(([, value]) => value.length > 0 && text.includes(value))
    .map(([name]) => name)
}
