-- 0010: signatures already spent on a request that made a new run (a forced trigger, or a trigger of
-- a job without a schedule). Within its tolerance a signed request could be sent again as captured;
-- the handler inserts its signature here first and refuses it when the row exists, so one signed
-- request makes at most one run, however many instances of the handler share the database.
-- Rows are useless once the signature's time leaves the tolerance (`expires_at`); every insert
-- deletes those, so the table holds only the last few minutes of signed runs.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

create table {{schema}}.used_signatures (
  -- the v2 HMAC as lower-case hex: it names one method, route, body and time under one key
  signature text primary key,
  expires_at timestamptz not null
);

-- And the cancelled jobs, for stats(): it counts each finished status up to a limit through an index
-- of that status alone, so its cost stays flat however much history is stored. Completed rows are
-- read through jobs_finished_idx (they are most of it), failed ones through jobs_failed_idx (0005);
-- without this index, counting a few cancelled rows would read through every completed one. Rows
-- enter it only when a job is cancelled, never on the claim/complete path.
create index jobs_cancelled_idx on {{schema}}.jobs (updated_at) where status = 'cancelled';
