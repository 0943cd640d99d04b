-- 0009: signatures already spent on a request that made a new run (a forced trigger, or a trigger of
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
