-- 0004: a row is locked (locked_by set) only while it is processing. Every statement that moves a
-- job out of `processing` already clears locked_by; this constraint makes that a rule the database
-- keeps. The statements that touch a held run (complete, extend, release) match it by id, attempt
-- and locked_by alone, so the planner always reaches it through the primary key: a `status =
-- 'processing'` condition would let a prepared statement's generic plan pick jobs_lease_idx, which
-- stale statistics make look like it holds one row, and scan every processing row per completion.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

-- Rows that break the rule (none that nightshift wrote; a hand edit could) are unlocked first, so the
-- constraint can be added: a lock on a row that is not processing holds nothing.
update {{schema}}.jobs set locked_by = null, locked_until = null
where locked_by is not null and status <> 'processing';

alter table {{schema}}.jobs
  add constraint jobs_locked_only_while_processing check (locked_by is null or status = 'processing');
