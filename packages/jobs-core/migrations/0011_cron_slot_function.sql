-- 0011: enqueue a schedule's current slot from SQL, for a database-native scheduler (pg_cron, Supabase
-- Cron) that cannot run JavaScript. `enqueue_cron_slot(job, cron)` does what `jobs.trigger()` does before
-- it runs anything: it works out the latest slot of `cron` at or before `fired_at` (UTC), opens the slot
-- in `schedule_slots` (0009) and, only when this call opened it, inserts the slot's job with the key
-- every other trigger uses, `<job>@<slot ISO>` (`generate-t5-invoices@2026-11-30T01:00:00.000Z`). So
-- pg_cron, the ticker, an HTTP trigger and a person pressing "Run workflow" share one run per slot, and
-- a purge never reopens a slot. A worker (or an HTTP call of the queue route) then runs the job.
--
-- Cron expressions are read in UTC (pg_cron has no time zones before 1.5) and as nightshift reads them
-- (croner): numbers, `*`, ranges `a-b`, steps `*/n` and `a-b/n`, lists; day-of-week 0-7 (7 is Sunday);
-- when both day-of-month and day-of-week are something other than exactly `*` a day matches either.
-- The TypeScript that writes calls of this function refuses anything else before it reaches here.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

-- The values one cron field allows, e.g. ('*/15', 0, 59) -> {0,15,30,45}. Day-of-week 7 is given as 0.
create function {{schema}}.cron_field_values(field text, low integer, high integer) returns integer[]
language plpgsql immutable strict as $$
declare
  part text;
  m text[];
  first_value integer;
  last_value integer;
  step integer;
  result integer[] := '{}';
begin
  foreach part in array string_to_array(field, ',') loop
    -- 1: the base (* or a number or range), 2: its first number, 3: the range's end, 4: the step
    m := regexp_match(part, '^(\*|([0-9]{1,2})(?:-([0-9]{1,2}))?)(?:/([0-9]{1,2}))?$');
    if m is null then
      raise exception 'cron field "%" must be numbers, ranges (a-b), steps (*/n, a-b/n), lists or *', field
        using errcode = '22023';
    end if;
    if m[1] = '*' then
      first_value := low;
      last_value := high;
    else
      first_value := m[2]::integer;
      -- `n/s` runs from n to the field's end, as croner reads it
      last_value := coalesce(m[3]::integer, case when m[4] is null then first_value else high end);
    end if;
    step := coalesce(m[4]::integer, 1);
    if step < 1 or first_value < low or last_value > high or first_value > last_value then
      raise exception 'cron field "%" is outside %-% or has a zero step', field, low, high using errcode = '22023';
    end if;
    result := result || array(select generate_series(first_value, last_value, step));
  end loop;
  if high = 7 then
    result := array(select case when v = 7 then 0 else v end from unnest(result) as v);
  end if;
  return result;
end;
$$;

-- The latest slot of a five-field UTC cron at or before `fired_at`, or null when there is none in the
-- nine years before it (as the core's latestSlot). Walks back day by day from `fired_at`'s day: a
-- yearly expression costs a few hundred cheap iterations, once per firing.
create function {{schema}}.cron_latest_slot(cron text, fired_at timestamptz default now()) returns timestamptz
language plpgsql stable strict as $$
declare
  fields text[] := regexp_split_to_array(btrim(cron), '\s+');
  minutes integer[];
  hours integer[];
  days integer[];
  months integer[];
  weekdays integer[];
  wall timestamp := date_trunc('minute', fired_at at time zone 'UTC');
  day date;
  day_matches boolean;
  slot_hour integer;
  slot_minute integer;
begin
  if array_length(fields, 1) is distinct from 5 then
    raise exception 'cron "%" must have five fields (minute hour day-of-month month day-of-week)', cron
      using errcode = '22023';
  end if;
  minutes := {{schema}}.cron_field_values(fields[1], 0, 59);
  hours := {{schema}}.cron_field_values(fields[2], 0, 23);
  days := {{schema}}.cron_field_values(fields[3], 1, 31);
  months := {{schema}}.cron_field_values(fields[4], 1, 12);
  weekdays := {{schema}}.cron_field_values(fields[5], 0, 7);
  for back in 0 .. 9 * 366 loop
    day := wall::date - back;
    continue when not extract(month from day)::integer = any (months);
    -- croner's rule (its legacy mode, the default): day-of-week exactly `*` leaves day-of-month alone to
    -- decide; day-of-month exactly `*` leaves day-of-week; both something else: either matches
    if fields[5] = '*' then
      day_matches := extract(day from day)::integer = any (days);
    elsif fields[3] = '*' then
      day_matches := extract(dow from day)::integer = any (weekdays);
    else
      day_matches := extract(day from day)::integer = any (days) or extract(dow from day)::integer = any (weekdays);
    end if;
    continue when not day_matches;
    if back = 0 then
      -- Today: the latest hour and minute not after `fired_at`.
      select max(h) into slot_hour from unnest(hours) as h
      where h < extract(hour from wall)
         or (h = extract(hour from wall) and exists (select 1 from unnest(minutes) as mi where mi <= extract(minute from wall)));
      continue when slot_hour is null;
      select max(mi) into slot_minute from unnest(minutes) as mi
      where slot_hour < extract(hour from wall) or mi <= extract(minute from wall);
    else
      select max(h) into slot_hour from unnest(hours) as h;
      select max(mi) into slot_minute from unnest(minutes) as mi;
    end if;
    return (day + make_interval(hours => slot_hour, mins => slot_minute)) at time zone 'UTC';
  end loop;
  return null;
end;
$$;

-- Opens the current slot of `job_name` and enqueues its job once, ever; returns the slot, its job
-- (made now, made earlier, or the id it had before a purge) and whether this call made it. The row is
-- built as the core's enqueue builds a slot's row: the job's queue, priority and max attempts, payload
-- `{}` (a scheduled job's input schema accepts it), due now.
create function {{schema}}.enqueue_cron_slot(
  job_name text,
  cron text,
  job_queue text default 'default',
  job_priority integer default 0,
  job_max_attempts integer default 5,
  job_payload jsonb default '{}'::jsonb,
  fired_at timestamptz default now(),
  out slot timestamptz,
  out job_id bigint,
  out created boolean
)
language plpgsql as $$
declare
  slot_key text;
begin
  if job_name is null or job_name = '' then
    raise exception 'enqueue_cron_slot needs a job name' using errcode = '22023';
  end if;
  slot := {{schema}}.cron_latest_slot(cron, fired_at);
  if slot is null then
    raise exception 'cron "%" of job "%" has no slot in the nine years before %', cron, job_name, fired_at
      using errcode = '22023';
  end if;
  -- The same text as JavaScript's Date#toISOString, which the ticker and triggers use.
  slot_key := job_name || '@' || to_char(slot at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  created := false;
  -- Opening the slot is the decision, as in the core: concurrent callers wait on this row's insert and
  -- then find the slot's job.
  insert into {{schema}}.schedule_slots (name, slot) values (job_name, enqueue_cron_slot.slot)
  on conflict do nothing;
  if found then
    insert into {{schema}}.jobs as j (type, queue, payload, priority, max_attempts, scheduled_for, idempotency_key)
    values (job_name, job_queue, coalesce(job_payload, '{}'::jsonb), job_priority, job_max_attempts, now(), slot_key)
    on conflict (type, idempotency_key) where idempotency_key is not null do nothing
    returning j.id into job_id;
    created := job_id is not null;
    if job_id is null then
      -- A job with the slot's key was there before its slot row (made by hand, or before 0009): it is
      -- the slot's job.
      select j.id into job_id from {{schema}}.jobs j where j.type = job_name and j.idempotency_key = slot_key;
    end if;
    update {{schema}}.schedule_slots s set job_id = enqueue_cron_slot.job_id
    where s.name = job_name and s.slot = enqueue_cron_slot.slot;
  else
    select s.job_id into job_id from {{schema}}.schedule_slots s
    where s.name = job_name and s.slot = enqueue_cron_slot.slot;
  end if;
end;
$$;
