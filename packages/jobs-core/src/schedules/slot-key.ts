/** The idempotency key of a schedule's slot: `<job>@<slot ISO time>`, e.g. `nightly-report@2026-11-28T02:00:00.000Z`. */
export function slotKey(name: string, slot: Date): string {
  return `${name}@${slot.toISOString()}`
}

/**
 * What a job's idempotency key says about its run: the schedule slot it runs for (`<job>@<slot>`),
 * and whether it was forced (`#forced-…`). Jobs enqueued with keys of their own have neither.
 */
export function slotOfKey(name: string, key: string | null): { slot: Date | null; forced: boolean } {
  const match = key?.startsWith(name) ? /^(?:@([^#]+))?(#forced-.+)?$/.exec(key.slice(name.length)) : null
  if (!match) return { slot: null, forced: false }
  const slot = match[1] === undefined ? null : new Date(match[1])
  const valid = slot !== null && !Number.isNaN(slot.getTime()) && slot.toISOString() === match[1]
  return { slot: valid ? slot : null, forced: match[2] !== undefined }
}

/** The key of a forced run of a slot: unique, and marked so the job's history shows it was forced. */
export function forcedSlotKey(name: string, slot: Date | null): string {
  return `${slot ? slotKey(name, slot) : name}#forced-${crypto.randomUUID()}`
}
