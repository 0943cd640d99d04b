-- 0003: when the current (or last) run started. Set by every claim, so a finished job's duration is
-- completed_at - started_at and the dashboard can show how long runs take. Null for jobs never claimed
-- and for rows written before this migration.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

alter table {{schema}}.jobs add column started_at timestamptz;
