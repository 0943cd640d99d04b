-- Supabase Cron (pg_cron + pg_net) calls nightshift's Edge Functions. The URL and the token are read from
-- Vault when each call is made; create them once (never in a migration):
--   select vault.create_secret('https://<project-ref>.supabase.co/functions/v1', 'nightshift_functions_url');
--   select vault.create_secret('<a token the functions accept>', 'nightshift_cron_token');
-- Written by nightshift-supabase; safe to run again.

select cron.unschedule(jobid) from cron.job
where left(jobname, 16) = 'nightshift-http:' and jobname not in ('nightshift-http:generate-t5-invoices', 'nightshift-http:generate-monthly-invoices', 'nightshift-http:run-escalation-orchestration', 'nightshift-http:escalate-overdue-bookings', 'nightshift-http:schedule-create-zoom', 'nightshift-http:notification-worker');

select cron.schedule('nightshift-http:generate-t5-invoices', '0 1 * * *', $nightshift$
  select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_functions_url') || '/generate-t5-invoices',
    body := '{}'::jsonb,
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_cron_token')),
    timeout_milliseconds := 60000
  ) as request_id
$nightshift$);

select cron.schedule('nightshift-http:generate-monthly-invoices', '0 2 * * *', $nightshift$
  select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_functions_url') || '/generate-monthly-invoices',
    body := '{}'::jsonb,
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_cron_token')),
    timeout_milliseconds := 60000
  ) as request_id
$nightshift$);

select cron.schedule('nightshift-http:run-escalation-orchestration', '0 2 * * *', $nightshift$
  select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_functions_url') || '/run-escalation-orchestration',
    body := '{"force":false}'::jsonb,
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_cron_token')),
    timeout_milliseconds := 60000
  ) as request_id
$nightshift$);

select cron.schedule('nightshift-http:escalate-overdue-bookings', '0 6 * * *', $nightshift$
  select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_functions_url') || '/escalate-overdue-bookings',
    body := '{}'::jsonb,
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_cron_token')),
    timeout_milliseconds := 60000
  ) as request_id
$nightshift$);

select cron.schedule('nightshift-http:schedule-create-zoom', '*/5 * * * *', $nightshift$
  select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_functions_url') || '/schedule-create-zoom',
    body := '{}'::jsonb,
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_cron_token')),
    timeout_milliseconds := 60000
  ) as request_id
$nightshift$);

select cron.schedule('nightshift-http:notification-worker', '*/2 * * * *', $nightshift$
  select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_functions_url') || '/notification-worker',
    body := '{"limit":10}'::jsonb,
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'nightshift_cron_token')),
    timeout_milliseconds := 60000
  ) as request_id
$nightshift$);
