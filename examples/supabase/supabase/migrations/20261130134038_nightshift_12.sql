-- nightshift's queue schema, migrations 12, written by nightshift-supabase.
-- Each part runs only when its version is not in "nightshift".migrations yet, so this is safe
-- on a database where jobs.migrate() ran before. Do not edit: a later export adds new files instead.

-- nightshift migration 12: progress (schema "nightshift")
create schema if not exists "nightshift";

create table if not exists "nightshift".migrations (
  version integer primary key,
  name text not null,
  applied_at timestamptz not null default now()
);

do $nightshift_migration_12$
begin
  if not exists (select 1 from "nightshift".migrations where version = 12) then
    execute $nightshift_migration_12_sql$
-- 0012: what a running handler last reported of its progress (`ctx.progress(value)`), as JSON. Written
-- only by the run that holds the job (fenced on its token); kept after the run ends, so a failed job
-- shows how far it got. Null until a handler reports.
-- "nightshift" is replaced by the quoted schema name when the migration runs.

alter table "nightshift".jobs add column if not exists progress jsonb;

$nightshift_migration_12_sql$;
    insert into "nightshift".migrations (version, name) values (12, 'progress');
  end if;
end
$nightshift_migration_12$;
