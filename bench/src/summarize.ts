import type { Measurement } from './workloads.js'

/** Median and range of one figure over the runs. */
export interface Summary {
  library: string
  workload: string
  unit: string
  median: number
  min: number
  max: number
  runs: number
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

export function summarize(measurements: readonly Measurement[]): Summary[] {
  const groups = new Map<string, Measurement[]>()
  for (const measurement of measurements) {
    const key = `${measurement.workload}\u0000${measurement.library}`
    groups.set(key, [...(groups.get(key) ?? []), measurement])
  }
  return [...groups.values()].map((group) => {
    const values = group.map((measurement) => measurement.value)
    const first = group[0] as Measurement
    return {
      library: first.library,
      workload: first.workload,
      unit: first.unit,
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      runs: values.length,
    }
  })
}

const format = (value: number) =>
  Number.isFinite(value) ? (Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2)) : String(value)

/** A Markdown table: one row per workload, median (min–max) per library, and nightshift ÷ each peer. */
export function table(summaries: readonly Summary[], libraries: readonly string[]): string {
  const [ours, ...peers] = libraries
  const workloads = [...new Set(summaries.map((summary) => summary.workload))]
  const find = (workload: string, library: string | undefined) =>
    summaries.find((summary) => summary.workload === workload && summary.library === library)
  const header = ['workload', 'unit', ...libraries, ...peers.map((peer) => `${ours} ÷ ${peer}`)]
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`]
  for (const workload of workloads) {
    const unit = summaries.find((summary) => summary.workload === workload)?.unit ?? ''
    const cells = libraries.map((library) => {
      const summary = find(workload, library)
      return summary ? `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})` : '—'
    })
    const mine = find(workload, ours)
    const ratios = peers.map((peer) => {
      const theirs = find(workload, peer)
      return mine && theirs ? `${(mine.median / theirs.median).toFixed(2)}x` : '—'
    })
    lines.push(`| ${[workload, unit, ...cells, ...ratios].join(' | ')} |`)
  }
  return lines.join('\n')
}
