-- 0007: a run token that never repeats. `runs` counts the claims of a job: each claim adds one and no
-- transition ever lowers it, so the value a claim writes is that run's number, which no other run of
-- the job shares. Every write of a run (complete, fail, snooze, release, extend the lease) matches the
-- job's id, this number and `locked_by` (null outside `processing`, 0004). Until now runs were fenced
-- on `attempts`, which repeats: `retry()` resets it to 0 and a hand-back gives one back, so cancel,
-- retry and a new claim by the same worker gave the new run its old run's token, and the old run's
-- late completion overwrote the new run's job. `attempts` now serves the retry policy only.
--
-- A per-row counter rather than a sequence: a sequence's nextval needs its own USAGE grant, which a
-- worker role given only the table's privileges lacks (its claims would fail after this migration);
-- and the token needs to be unique only within its job, since every fence also matches the id.
--
-- Existing rows are kept: they start at 0 (a constant default, so no table rewrite). A row that was
-- `processing` when this ran belongs to a worker of an earlier version, which fences on its attempt and
-- worker id as before; no new worker holds it (their fences also match `locked_by`).
-- {{schema}} is replaced by the quoted schema name when the migration runs.

alter table {{schema}}.jobs add column runs bigint not null default 0;
