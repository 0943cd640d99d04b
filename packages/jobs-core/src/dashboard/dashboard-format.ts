/** A time as the dashboard shows it: UTC to the second, `2025-03-01 14:05:09Z`. */
export function formatTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '—'
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) return String(value)
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`
}

/** An age or duration in the largest unit that keeps it short: `850 ms`, `42 s`, `7 min`, `3 h 5 min`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  const seconds = Math.round(ms / 1000)
  if (seconds < 120) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 120) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ${minutes % 60} min`
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

/** A panel cell: dates as times, objects as JSON, null as empty. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return formatTime(value)
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
