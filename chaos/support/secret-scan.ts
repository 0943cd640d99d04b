/**
 * The names of the secrets whose value appears in `text`: a chaos test scans everything its hosts
 * logged or printed with it, and expects none.
 *
 * @example
 * expect(secretsIn(host.output(), { SERVICE_ROLE_KEY: key })).toEqual([])
 */
export function secretsIn(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => value.length > 0 && text.includes(value))
    .map(([name]) => name)
}
