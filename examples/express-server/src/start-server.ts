// `npm start`: the booking app's scheduled jobs on one machine: PostgreSQL (embedded unless
// DATABASE_URL is set), the six booking jobs, their HTTP routes at /functions/v1 (the paths its GitHub
// cron workflows call), the worker and the ticker.
import type { Server } from 'node:http'
import { createRouter, runWithServer } from '@nightshift/adapter-express'
import {
  createBookingQueue,
  migrateBooking,
  readBookingConfig,
  seedDemoData,
} from '@nightshift/example-booking'
import { localDatabase } from '@nightshift/example-quickstart/local-database'
import express from 'express'
import pg from 'pg'
import { lineLogger } from './line-logger.js'
import { serverSecrets } from './server-secrets.js'

const env = process.env
// One line per event, JSON when the output is not a terminal. Any logger with debug/info/warn/error
// fits here: `pino()`, or `console` (see docs/getting-started.md).
const logger = lineLogger(process.stderr, { level: env.LOG_LEVEL === 'debug' ? 'debug' : 'info' })
let stopDatabase: () => Promise<void> = async () => {}

function listen(app: express.Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port)
    server.once('listening', () => resolve(server))
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use (set PORT to another)`) : error),
    )
  })
}

function portFrom(text: string | undefined): number {
  const port = Number(text ?? '3000')
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got ${JSON.stringify(text)}`)
  }
  return port
}

async function main(): Promise<void> {
  const port = portFrom(env.PORT)
  const secrets = serverSecrets(env)
  const config = readBookingConfig(env)
  const database = await localDatabase(env, env.NIGHTSHIFT_DATA_DIR || './.nightshift/pg')
  stopDatabase = database.stop
  const pool = new pg.Pool({ connectionString: database.url, max: 10 })
  pool.on('error', () => {}) // a dropped idle connection is replaced; queries report their own errors
  try {
    await pool.query('select 1')
  } catch (error) {
    throw new Error(`cannot reach the database ${database.description}: ${(error as Error).message}`)
  }
  const { jobs } = createBookingQueue({ db: pool, config, logger })
  await jobs.migrate()
  await migrateBooking(pool)
  const seeded = await seedDemoData(pool)

  const app = express()
  app.disable('x-powered-by')
  app.use(
    '/functions/v1',
    createRouter(jobs, {
      auth: {
        tokens: {
          // The service role key reaches every route (as in Supabase); the others only their job.
          [secrets.SUPABASE_SERVICE_ROLE_KEY]: '*',
          [secrets.CRON_SECRET]: ['run-escalation-orchestration'],
          [secrets.SCHEDULER_SECRET_TOKEN]: ['schedule-create-zoom'],
        },
      },
      header: secrets.SCHEDULER_SECRET_HEADER,
      queueRoute: 'notification-worker',
      dashboard: {
        title: 'nightshift — bookings',
        // The local outbox: messages the jobs sent (or, without WhatsApp/SMTP settings, would have sent).
        panels: [
          {
            title:
              config.zoom.mode === 'outbox'
                ? 'Zoom meetings (local stand-in: no ZOOM_* set)'
                : 'Zoom meetings',
            rows: async () =>
              (
                await pool.query(
                  `select starts_at as class_starts, title, zoom_meeting_id as meeting, zoom_join_url as join_url
                   from booking.classes where zoom_meeting_id is not null order by starts_at desc limit 20`,
                )
              ).rows,
          },
          {
            title: 'Messages',
            rows: async () =>
              (
                await pool.query(
                  `select created_at as time, channel, recipient, template, ok, error
                   from booking.message_audit order by id desc limit 20`,
                )
              ).rows,
          },
        ],
      },
    }),
  )
  const server = await listen(app, port)
  const address = server.address()
  const url = `http://localhost:${typeof address === 'object' && address ? address.port : port}`
  // The first tick before the banner: slots already due are enqueued now (the worker runs them as it
  // starts), so the banner can say what is queued and a trigger right after finds them in the queue.
  const firstTick = await jobs.tick()
  const schedules = await jobs.schedules({ count: 1 })
  runWithServer(jobs, server, {
    exit: (code) => {
      pool
        .end()
        .then(stopDatabase)
        .finally(() => process.exit(code))
    },
  })

  const lines = [
    `nightshift is running at ${url}/functions/v1`,
    `database: ${database.description}`,
    seeded.seeded
      ? `demo data added: ${seeded.customers} customers, ${seeded.classes} classes, ${seeded.bookings} bookings`
      : 'demo data: kept from an earlier run',
    firstTick.enqueued.length > 0
      ? `due now, running: ${firstTick.enqueued.map((slot) => slot.name).join(', ')}`
      : 'nothing is due now',
    'the jobs run on their schedules (UTC; the dashboard counts a job once it has run), next:',
    ...schedules.map((schedule) => `  ${schedule.name.padEnd(29)} ${schedule.nextRuns[0]?.utc ?? '-'}`),
    'or now, with a POST to /functions/v1/<job name> (as below)',
    `dashboard: ${url}/functions/v1/dashboard (sign in with SUPABASE_SERVICE_ROLE_KEY)`,
  ]
  if (secrets.generated.length > 0) {
    lines.push(`generated for this run (unset in the environment; set them to keep them):`)
    for (const name of secrets.generated) lines.push(`  ${name}=${secrets[name as 'CRON_SECRET']}`)
  }
  // A key the user set stays out of the output: the command names the variable instead.
  const generatedKey = secrets.generated.includes('SUPABASE_SERVICE_ROLE_KEY')
  const bearer = generatedKey ? secrets.SUPABASE_SERVICE_ROLE_KEY : '$SUPABASE_SERVICE_ROLE_KEY'
  lines.push(
    'try:',
    `  curl -X POST "${url}/functions/v1/notification-worker" \\`,
    `    -H "Authorization: Bearer ${bearer}" \\`,
    `    -H "Content-Type: application/json" -d '{"limit":10}'`,
  )
  console.log(lines.join('\n'))
}

main().catch(async (error: unknown) => {
  console.error(`nightshift: cannot start: ${error instanceof Error ? error.message : String(error)}`)
  await stopDatabase().catch(() => {})
  process.exit(1)
})
