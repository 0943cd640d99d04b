-- 0002: the schedule ledger. One row per scheduled job records the last slot `tick()` has dealt with
-- (enqueued, or deliberately skipped by the job's catch-up policy), so the next tick knows which slots
-- were missed: after a deploy, a dropped GitHub cron run or a database outage.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

create table {{schema}}.schedules (
  -- the job's name (defineJob({ name })); one schedule per job
  name text primary key,
  -- the latest slot dealt with; slots after it and at or before "now" are due
  last_slot timestamptz not null,
  updated_at timestamptz not null default now()
);
