import { createJobs, defineJob } from '@nightshift/jobs-core'
import { context, SpanStatusCode } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database.js'
import { recordJobMetrics, traceJobRuns } from '../src/index.js'

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase('otel_failure')
})
afterAll(() => db?.drop())

test('a run that throws ends its span with status ERROR and is counted as a retry, then as failed', async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  const spans = new InMemorySpanExporter()
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer('t')
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 60_000,
  })
  const meter = new MeterProvider({ readers: [reader] }).getMeter('m')
  const broken = defineJob({
    name: 'call-zoom',
    maxAttempts: 2,
    backoff: { baseMs: 1, maxMs: 1 },
    run: () => {
      throw new Error('zoom 500')
    },
  })
  const jobs = createJobs({ db: db.url, jobs: [broken], logger: false, aroundRun: traceJobRuns(tracer) })
  const stop = recordJobMetrics(jobs, meter)
  try {
    await jobs.migrate()
    const { id } = await jobs.enqueue('call-zoom', {})
    for (let i = 0; i < 100 && (await jobs.getJob(id))?.status !== 'failed'; i++) {
      await jobs.process({ limit: 1 })
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const runs = spans.getFinishedSpans()
    expect(
      runs.map((span) => [span.name, span.attributes['nightshift.job.attempt'], span.status.code]),
    ).toEqual([
      ['job call-zoom', 1, SpanStatusCode.ERROR],
      ['job call-zoom', 2, SpanStatusCode.ERROR],
    ])
    expect(runs[0]?.events.map((event) => event.name)).toEqual(['exception'])
    const { resourceMetrics } = await reader.collect()
    const counted = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'nightshift.job.runs')
      ?.dataPoints.map((point) => [point.attributes.outcome, point.value])
    expect(counted).toEqual([
      ['retry', 1],
      ['failed', 1],
    ])
  } finally {
    stop()
    await jobs.close()
  }
})
