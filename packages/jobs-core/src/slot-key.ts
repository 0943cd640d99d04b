/** The idempotency key of a schedule's slot: `<job>@<slot ISO time>`, e.g. `nightly-report@2026-11-28T02:00:00.000Z`. */
export function slotKey(name: string, slot: Date): string {
  return `${name}@${slot.toISOString()}`
}

/** The key of a forced run of a slot: unique, and marked so the job's history shows it was forced. */
export function forcedSlotKey(name: string, slot: Date | null): string {
  return `${slot ? slotKey(name, slot) : name}#forced-${crypto.randomUUID()}`
}
