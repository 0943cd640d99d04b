import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgbouncerMissing } from '../../../test-support/start-pgbouncer.js'
import { originalCurlCommands } from '../../booking/test/original-curl-commands.js'
import { secrets, startBookingFunctions } from './booking-functions.js'
import { runCurlCommand } from './run-curl-command.js'

// A laptop without the pooler skips this file with one line that says how to get it.
const missing = pgbouncerMissing()
if (missing) console.warn(`skipped: ${missing}`)

let project: Awaited<ReturnType<typeof startBookingFunctions>>

beforeAll(async () => {
  if (missing) return
  project = await startBookingFunctions('supabase_example')
}, 120_000)
afterAll(async () => {
  await project?.close()
})

const curl = (command: string, env: Record<string, string> = {}) =>
  runCurlCommand(command, project.gateway.url, env)

describe.skipIf(missing)(
  'the booking app’s six curl commands against its Deno functions behind PgBouncer',
  () => {
    const commands = originalCurlCommands()

    it('are the six of the original setup', () => {
      expect(Object.keys(commands).sort()).toEqual([
        'escalate-overdue-bookings',
        'generate-monthly-invoices',
        'generate-t5-invoices',
        'notification-worker',
        'run-escalation-orchestration',
        'schedule-create-zoom',
      ])
    })

    it.each(Object.entries(originalCurlCommands()))('%s answers 200 ok: true', async (name, command) => {
      const { status, json } = await curl(command)
      expect({ name, status, ok: json.ok }).toEqual({ name, status: 200, ok: true })
      if (name === 'notification-worker') expect(json).toMatchObject({ running: 0 })
      else expect(['completed', 'already-done']).toContain(json.status)
    })

    it('records each job’s run in the database the functions share', async () => {
      const { rows } = await project.pool.query<{ type: string; status: string }>(
        `select distinct type, status from nightshift.jobs where type not in ('send-whatsapp', 'send-email') order by type`,
      )
      expect(rows).toEqual([
        { type: 'escalate-overdue-bookings', status: 'completed' },
        { type: 'generate-monthly-invoices', status: 'completed' },
        { type: 'generate-t5-invoices', status: 'completed' },
        { type: 'run-escalation-orchestration', status: 'completed' },
        { type: 'schedule-create-zoom', status: 'completed' },
      ])
    })

    it('refuses a wrong token (401) and a secret used beyond its scope (403)', async () => {
      const wrong = await curl(commands['generate-t5-invoices'] as string, {
        SUPABASE_SERVICE_ROLE_KEY: 'not-the-service-role-key',
      })
      expect(wrong).toMatchObject({ status: 401, json: { ok: false, error: { code: 'unauthorized' } } })
      // The cron secret reaches run-escalation-orchestration only.
      const beyond = await curl(commands['generate-t5-invoices'] as string, {
        SUPABASE_SERVICE_ROLE_KEY: secrets.CRON_SECRET,
      })
      expect(beyond).toMatchObject({ status: 403, json: { ok: false, error: { code: 'forbidden' } } })
      const badInput = await curl(
        `curl -X POST "\${SUPABASE_URL}/functions/v1/notification-worker" -H "Authorization: Bearer \${SUPABASE_SERVICE_ROLE_KEY}" -H "Content-Type: application/json" -d '{"limit":-1}'`,
      )
      expect(badInput).toMatchObject({ status: 400, json: { ok: false, error: { code: 'invalid_input' } } })
    })

    it('serves every job under one function too: /nightshift/<job> and its health', async () => {
      const forced = await curl(
        `curl -X POST "\${SUPABASE_URL}/functions/v1/nightshift/run-escalation-orchestration" -H "Authorization: Bearer \${CRON_SECRET}" -H "Content-Type: application/json" -d '{"force":true}'`,
      )
      expect(forced).toMatchObject({ status: 200, json: { ok: true, status: 'completed', forced: true } })
      const health = await fetch(`${project.gateway.url}/functions/v1/nightshift/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ ok: true, counts: { completed: expect.any(Number) } })
    })
  },
)
