-- 0012: what a running handler last reported of its progress (`ctx.progress(value)`), as JSON. Written
-- only by the run that holds the job (fenced on its token); kept after the run ends, so a failed job
-- shows how far it got. Null until a handler reports.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

alter table {{schema}}.jobs add column if not exists progress jsonb;
