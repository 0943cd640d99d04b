// Serves every job under its name: POST /nightshift/<job>, GET /nightshift/health, GET /nightshift/jobs/<id>.
import { serveJobs } from '@nightshift/adapter-supabase'
import { jobs, serveOptions } from '../_shared/booking-queue.ts'

Deno.serve(serveJobs(jobs, serveOptions))
