-- 0006: the idempotency key's uniqueness is kept by a partial index over keyed rows only. The unique
-- constraint of 0001 indexed every row, null keys included, so each claim and each completion (updates
-- that move a row between partial indexes, which are never HOT) wrote an index entry no lookup ever
-- reads. Uniqueness is the same: nulls never conflicted. Enqueues name the index's predicate in
-- `on conflict (idempotency_key) where idempotency_key is not null`.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

create unique index jobs_idempotency_key_idx on {{schema}}.jobs (idempotency_key)
  where idempotency_key is not null;

alter table {{schema}}.jobs drop constraint jobs_idempotency_key_key;
