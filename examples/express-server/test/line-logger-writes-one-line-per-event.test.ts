import { Writable } from 'node:stream'
import { expect, test } from 'vitest'
import { lineLogger } from '../src/line-logger.js'

function sink(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; lines: () => string[] } {
  let text = ''
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk, _encoding, done) {
      text += chunk
      done()
    },
  })
  stream.isTTY = isTTY
  return { stream, lines: () => text.split('\n').filter(Boolean) }
}

const now = () => new Date('2026-11-30T10:00:00.000Z')

test('not a terminal: one JSON object per event; secrets and payloads withheld', () => {
  const { stream, lines } = sink(false)
  const logger = lineLogger(stream, { now })
  logger.debug('not shown at info')
  logger.error('job failed\nat line two', {
    jobId: '7',
    payload: { email: 'a@b.c' },
    token: 's3cret',
    error: new Error('boom'),
  })
  expect(lines()).toHaveLength(1)
  expect(JSON.parse(lines()[0] ?? '')).toEqual({
    time: '2026-11-30T10:00:00.000Z',
    level: 'error',
    msg: 'job failed\nat line two',
    jobId: '7',
    payload: '[withheld]',
    token: '[withheld]',
    error: 'boom',
  })
})

test('a terminal: one readable line per event', () => {
  const { stream, lines } = sink(true)
  lineLogger(stream, { now }).warn('SIGTERM: stopping\n  soon', { signal: 'SIGTERM', secret: 'x' })
  expect(lines()).toEqual(['10:00:00 warn SIGTERM: stopping soon signal="SIGTERM" secret="[withheld]"'])
})
