// Drains the queue (the send-whatsapp and send-email jobs): POST /notification-worker {"limit":10}.
import { serveJobs } from '@nightshift/adapter-supabase'
import { jobs, serveOptions } from '../_shared/booking-queue.ts'

Deno.serve(serveJobs(jobs, serveOptions))
