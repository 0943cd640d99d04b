-- 0008: an idempotency key is unique per job name, not across all jobs. With one index over the key
-- alone, `enqueue('send-receipt', …, { idempotencyKey: 'order-42' })` found delete-account's job with
-- the same key and returned it as its own (`created: false`), and a trigger with that key went on to
-- claim and run delete-account. Keys are chosen by each job's caller (an order id, a slot), so two jobs
-- may well pick the same one; the job name is part of what a key identifies.
-- Existing rows are kept as they are: the old index made keys unique across all rows, so they are
-- unique per (type, key) too and the new index always builds. It is built before the old one is dropped,
-- inside the migration's transaction, so no enqueue ever runs without a unique index. On a very large
-- table this blocks writes while the index builds; build it beforehand with
-- `create unique index concurrently jobs_type_idempotency_key_idx …` (same definition) if that matters:
-- `if not exists` then skips it here (check that it is valid first: a failed concurrent build leaves an
-- invalid index of that name behind).
-- Enqueues name the new index's columns and predicate in
-- `on conflict (type, idempotency_key) where idempotency_key is not null`.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

create unique index if not exists jobs_type_idempotency_key_idx on {{schema}}.jobs (type, idempotency_key)
  where idempotency_key is not null;

drop index {{schema}}.jobs_idempotency_key_idx;
