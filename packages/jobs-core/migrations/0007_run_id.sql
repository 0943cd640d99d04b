-- 0007: a run token that never repeats. Every claim gives the run it starts a new `run_id` from this
-- sequence, and every write of that run (complete, fail, snooze, release, extend the lease) matches it,
-- together with `locked_by` (which the database keeps null outside `processing`, 0004). Until now runs
-- were fenced on the attempt number, which repeats: `retry()` resets it to 0 and a hand-back gives one
-- back, so cancel, retry and a new claim by the same worker gave the new run its old run's token, and
-- the old run's late completion overwrote the new run's job. `attempts` now serves the retry policy only.
-- Existing rows are kept as they are: `run_id` stays null until a row's next claim (a row that was
-- `processing` when this ran belongs to a worker of an earlier version, which fences on its attempt
-- and worker as before; a new worker never holds it, and its lease expires or its old worker ends it).
-- A nullable column without a default: added without rewriting the table. No index: every write of
-- a run finds its row by the primary key.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

create sequence {{schema}}.jobs_run_id_seq as bigint;

alter table {{schema}}.jobs add column run_id bigint;
