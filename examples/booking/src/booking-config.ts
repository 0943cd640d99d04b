import { JobFailError } from '@nightshift/jobs-core'
import { z } from 'zod'

/** How a channel delivers: through its provider, or into the local outbox (audit rows only). */
export type DeliveryMode = 'provider' | 'outbox'

/**
 * Everything the booking jobs read from their host. Values a channel needs may be missing: the job that
 * needs them then fails naming the variable (see `requireSetting`), and nothing else is affected.
 */
export interface BookingConfig {
  whatsapp: {
    mode: DeliveryMode
    baseUrl: string
    apiVersion: string
    phoneNumberId: string | undefined
    accessToken: string | undefined
    language: string
  }
  email: { mode: DeliveryMode; smtpUrl: string | undefined; from: string | undefined }
  zoom: {
    /** `outbox`: no Zoom account is configured; meetings come from the local stand-in. */
    mode: DeliveryMode
    apiBaseUrl: string
    oauthBaseUrl: string
    accountId: string | undefined
    clientId: string | undefined
    clientSecret: string | undefined
  }
  /** Who receives admin alerts (e-mail). */
  adminEmail: string
  /** Monthly invoices are made on the first run within the first N days of a month. Default 5. */
  monthlyWindowDays: number
  /** How many past UTC days generate-t5-invoices looks back for unbilled activity. Default 7. */
  t5CatchUpDays: number
  /** Classes starting within this many minutes get a Zoom meeting. Default 24 hours. */
  zoomLookAheadMinutes: number
  /** Overdue-booking escalation level from which the admin is told too. Default 2. */
  overdueAdminFromLevel: number
  /** Overdue bookings stop escalating at this level. Default 5. */
  overdueMaxLevel: number
}

/** The environment variables `readBookingConfig` reads (documented in the example's README). */
export const bookingEnvironment = [
  'BOOKING_DELIVERY',
  'WHATSAPP_API_BASE_URL',
  'WHATSAPP_API_VERSION',
  'WHATSAPP_PHONE_NUMBER_ID',
  'WHATSAPP_ACCESS_TOKEN',
  'WHATSAPP_TEMPLATE_LANGUAGE',
  'SMTP_URL',
  'MAIL_FROM',
  'ZOOM_API_BASE_URL',
  'ZOOM_OAUTH_BASE_URL',
  'ZOOM_ACCOUNT_ID',
  'ZOOM_CLIENT_ID',
  'ZOOM_CLIENT_SECRET',
  'BOOKING_ADMIN_EMAIL',
  'BOOKING_MONTHLY_WINDOW_DAYS',
  'BOOKING_T5_CATCH_UP_DAYS',
  'BOOKING_ZOOM_LOOKAHEAD_MINUTES',
  'BOOKING_OVERDUE_ADMIN_FROM_LEVEL',
  'BOOKING_OVERDUE_MAX_LEVEL',
] as const

type Environment = Partial<Record<(typeof bookingEnvironment)[number], string | undefined>>

/**
 * A job that needs a setting nobody gave. Retrying cannot help until someone sets it, so the job ends
 * `failed` at once with this message (not `cancelled`, which says nobody wants it run): it stays in
 * the dead-letter set that monitoring counts, and `jobs.retry(id)` runs it once the host has the setting.
 */
export class MissingSettingError extends JobFailError {
  override name = 'MissingSettingError'
}

/**
 * The value of a setting, or a `MissingSettingError` naming the environment variable to set.
 *
 * @example
 * const token = requireSetting(config.whatsapp.accessToken, 'WHATSAPP_ACCESS_TOKEN', 'WhatsApp')
 */
export function requireSetting(value: string | undefined, variable: string, what: string): string {
  if (value === undefined || value === '') {
    throw new MissingSettingError(`${what} is not configured: set the environment variable ${variable}`)
  }
  return value
}

function whole(
  env: Environment,
  name: keyof Environment,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  const parsed = z.coerce.number().int().min(min).max(max).safeParse(text)
  if (!parsed.success) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`)
  }
  return parsed.data
}

function mode(env: Environment, names: (keyof Environment)[]): DeliveryMode {
  const delivery = env.BOOKING_DELIVERY ?? 'auto'
  if (delivery === 'outbox') return 'outbox'
  if (delivery === 'providers') return 'provider'
  if (delivery !== 'auto') {
    throw new Error(`BOOKING_DELIVERY must be auto, outbox or providers, got ${JSON.stringify(delivery)}`)
  }
  // auto: a channel none of whose variables is set writes to the outbox; one partly set is meant to
  // send, and its jobs name the variable still missing.
  return names.some((name) => env[name]) ? 'provider' : 'outbox'
}

/**
 * Reads the example's configuration from environment variables. Hosts call it with `process.env`
 * (or `Deno.env.toObject()`); tests build a `BookingConfig` pointing at local servers.
 *
 * @example
 * const config = readBookingConfig(process.env)
 */
export function readBookingConfig(env: Environment): BookingConfig {
  return {
    whatsapp: {
      mode: mode(env, ['WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_ACCESS_TOKEN']),
      baseUrl: env.WHATSAPP_API_BASE_URL || 'https://graph.facebook.com',
      apiVersion: env.WHATSAPP_API_VERSION || 'v21.0',
      phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID || undefined,
      accessToken: env.WHATSAPP_ACCESS_TOKEN || undefined,
      language: env.WHATSAPP_TEMPLATE_LANGUAGE || 'en',
    },
    email: {
      mode: mode(env, ['SMTP_URL', 'MAIL_FROM']),
      smtpUrl: env.SMTP_URL || undefined,
      from: env.MAIL_FROM || undefined,
    },
    zoom: {
      mode: mode(env, ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET']),
      apiBaseUrl: env.ZOOM_API_BASE_URL || 'https://api.zoom.us',
      oauthBaseUrl: env.ZOOM_OAUTH_BASE_URL || 'https://zoom.us',
      accountId: env.ZOOM_ACCOUNT_ID || undefined,
      clientId: env.ZOOM_CLIENT_ID || undefined,
      clientSecret: env.ZOOM_CLIENT_SECRET || undefined,
    },
    adminEmail: env.BOOKING_ADMIN_EMAIL || 'admin@example.com',
    monthlyWindowDays: whole(env, 'BOOKING_MONTHLY_WINDOW_DAYS', 5, 1, 28),
    t5CatchUpDays: whole(env, 'BOOKING_T5_CATCH_UP_DAYS', 7, 1, 366),
    zoomLookAheadMinutes: whole(env, 'BOOKING_ZOOM_LOOKAHEAD_MINUTES', 24 * 60, 5, 60 * 24 * 31),
    overdueAdminFromLevel: whole(env, 'BOOKING_OVERDUE_ADMIN_FROM_LEVEL', 2, 1, 100),
    overdueMaxLevel: whole(env, 'BOOKING_OVERDUE_MAX_LEVEL', 5, 1, 100),
  }
}
