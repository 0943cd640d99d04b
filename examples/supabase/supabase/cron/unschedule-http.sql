-- Removes the pg_cron jobs httpCronSql scheduled. Written by nightshift-supabase.

select cron.unschedule(jobid) from cron.job where left(jobname, 16) = 'nightshift-http:';
