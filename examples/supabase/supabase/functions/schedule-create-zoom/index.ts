// Runs the job of the same name: POST /schedule-create-zoom (the function's name is the route).
import { serveJobs } from '@nightshift/adapter-supabase'
import { jobs, serveOptions } from '../_shared/booking-queue.ts'

Deno.serve(serveJobs(jobs, serveOptions))
