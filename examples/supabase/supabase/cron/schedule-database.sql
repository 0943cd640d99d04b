-- Supabase Cron (pg_cron) enqueues each scheduled nightshift job's slot in the database, with the key
-- the ticker and HTTP triggers use (<job>@<slot ISO>): whichever comes first makes the slot's one job.
-- A worker or the queue route runs them. Written by nightshift-supabase; safe to run again.

select cron.unschedule(jobid) from cron.job
where left(jobname, 11) = 'nightshift:' and jobname not in ('nightshift:generate-t5-invoices', 'nightshift:generate-monthly-invoices', 'nightshift:run-escalation-orchestration', 'nightshift:escalate-overdue-bookings', 'nightshift:schedule-create-zoom');

select cron.schedule('nightshift:generate-t5-invoices', '0 1 * * *', $nightshift$select * from "nightshift".enqueue_cron_slot('generate-t5-invoices', '0 1 * * *', job_queue => 'default', job_priority => 0, job_max_attempts => 5)$nightshift$);

select cron.schedule('nightshift:generate-monthly-invoices', '0 2 * * *', $nightshift$select * from "nightshift".enqueue_cron_slot('generate-monthly-invoices', '0 2 * * *', job_queue => 'default', job_priority => 0, job_max_attempts => 5)$nightshift$);

select cron.schedule('nightshift:run-escalation-orchestration', '0 2 * * *', $nightshift$select * from "nightshift".enqueue_cron_slot('run-escalation-orchestration', '0 2 * * *', job_queue => 'default', job_priority => 0, job_max_attempts => 5)$nightshift$);

select cron.schedule('nightshift:escalate-overdue-bookings', '0 6 * * *', $nightshift$select * from "nightshift".enqueue_cron_slot('escalate-overdue-bookings', '0 6 * * *', job_queue => 'default', job_priority => 0, job_max_attempts => 5)$nightshift$);

select cron.schedule('nightshift:schedule-create-zoom', '*/5 * * * *', $nightshift$select * from "nightshift".enqueue_cron_slot('schedule-create-zoom', '*/5 * * * *', job_queue => 'default', job_priority => 0, job_max_attempts => 5)$nightshift$);
