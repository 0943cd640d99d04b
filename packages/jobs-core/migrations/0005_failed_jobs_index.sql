-- 0005: the dead-letter set, newest first. The dashboard lists the latest failed jobs and stats()
-- counts those of the last hour; with millions of completed rows and few failures, the finished
-- index would be read through every completed row to find them.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

create index jobs_failed_idx on {{schema}}.jobs (updated_at) where status = 'failed';
