-- 0009: a kept record of every schedule slot that was enqueued. A slot used to be "done" only while its
-- job row existed (its idempotency key `<job>@<slot>`), so `purge()` re-opened it: a trigger after a
-- purge enqueued and ran the slot again, and a monthly invoice billed twice in one month. A slot is now
-- opened by inserting its row here, in the same transaction as its job, and purging jobs never deletes
-- these rows, so a slot runs once for good. Forced runs (`force`) do not come through here: they run
-- again on purpose.
-- The rows are small (a name, a time, an id): a schedule firing every five minutes adds ~105,000 a year.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

create table {{schema}}.schedule_slots (
  -- the job's name (defineJob({ name }))
  name text not null,
  -- the slot's time, as in its job's idempotency key
  slot timestamptz not null,
  -- the job that runs the slot; set in the transaction that opens the slot, and kept (it is not a
  -- foreign key) after that job is purged
  job_id bigint,
  created_at timestamptz not null default now(),
  primary key (name, slot)
);

-- Slots enqueued before this migration are recorded from their jobs' keys (`<job>@<ISO time>`, never
-- the forced `…#forced-<uuid>`), so purging those jobs later does not re-open them either.
insert into {{schema}}.schedule_slots (name, slot, job_id)
select type, substr(idempotency_key, length(type) + 2)::timestamptz, id
from {{schema}}.jobs
where idempotency_key is not null
  and left(idempotency_key, length(type) + 1) = type || '@'
  and substr(idempotency_key, length(type) + 2) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'
on conflict do nothing;
