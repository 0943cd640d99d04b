import type { ZoomMeetings } from './zoom-client.js'

/** Where the stand-in's join URLs point: a reserved `.invalid` name, so no one mistakes one for a meeting. */
export const localZoomJoinBase = 'https://local-zoom-stand-in.invalid/j/'

/**
 * Zoom's stand-in when no Zoom account is configured (as the local outbox is for messages): it makes
 * a meeting id `local-…` and a join URL that says it is local, and calls nobody. The job records both
 * on the class as it would Zoom's, so a local server runs every job and shows what Zoom would get.
 *
 * @example
 * const zoom = config.zoom.mode === 'outbox' ? localZoomStandIn() : zoomClient(config.zoom, { now })
 */
export function localZoomStandIn(): ZoomMeetings {
  return {
    async createMeeting() {
      const id = `local-${crypto.randomUUID()}`
      return { id, joinUrl: `${localZoomJoinBase}${id}` }
    },
  }
}
