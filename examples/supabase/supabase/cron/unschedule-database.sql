-- Removes the pg_cron jobs databaseCronSql scheduled. Written by nightshift-supabase.

select cron.unschedule(jobid) from cron.job where left(jobname, 11) = 'nightshift:';
