import type { TransactionClient } from '@nightshift/jobs-core'
import type pg from 'pg'
import type { BookingConfig } from './booking-config.js'
import { localZoomStandIn } from './local-zoom-stand-in.js'
import { type MessageChannel, outboxChannel } from './message-channel.js'
import type { NotificationInput } from './notification-input.js'
import { smtpEmailChannel } from './smtp-email-channel.js'
import { whatsappCloudChannel } from './whatsapp-cloud-channel.js'
import { type ZoomMeetings, zoomClient } from './zoom-client.js'

/** Where notifications are enqueued: nightshift's `jobs`, always inside the caller's transaction. */
export interface NotificationQueue {
  enqueue(
    name: 'send-whatsapp' | 'send-email',
    input: NotificationInput,
    options: { db: TransactionClient; idempotencyKey: string },
  ): Promise<{ id: string; created: boolean }>
}

/**
 * Everything the booking jobs touch, passed in: the database, the clock, the message channels, Zoom
 * and the queue. Tests give real local servers and a fixed clock; hosts use `bookingDependencies`.
 */
export interface BookingDependencies {
  db: pg.Pool
  now: () => Date
  config: BookingConfig
  channels: { whatsapp: MessageChannel; email: MessageChannel }
  zoom: ZoomMeetings
  /** Read when a job runs, so the jobs can be defined before `createJobs` makes the queue. */
  queue: () => NotificationQueue
}

/**
 * Builds the dependencies from configuration: a channel whose provider is not configured writes to
 * the local outbox, and without a Zoom account meetings come from the local stand-in.
 *
 * @example
 * const deps = bookingDependencies({ db: pool, config: readBookingConfig(process.env), queue: () => jobs })
 */
export function bookingDependencies(options: {
  db: pg.Pool
  config: BookingConfig
  queue: () => NotificationQueue
  now?: () => Date
  fetch?: typeof fetch
}): BookingDependencies {
  const { config } = options
  const now = options.now ?? (() => new Date())
  return {
    db: options.db,
    now,
    config,
    queue: options.queue,
    channels: {
      whatsapp:
        config.whatsapp.mode === 'outbox'
          ? outboxChannel('whatsapp')
          : whatsappCloudChannel(config.whatsapp, options.fetch),
      email: config.email.mode === 'outbox' ? outboxChannel('email') : smtpEmailChannel(config.email),
    },
    zoom:
      config.zoom.mode === 'outbox'
        ? localZoomStandIn()
        : zoomClient(config.zoom, { now, fetch: options.fetch }),
  }
}
