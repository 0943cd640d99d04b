import type pg from 'pg'

/** A call of `net.http_post` as the stand-in recorded it. */
export interface RecordedRequest {
  url: string
  body: unknown
  headers: Record<string, string>
  timeout_milliseconds: number
}

/**
 * Installs stand-ins for what Supabase has and this machine does not: pg_net's `net.http_post` (same
 * signature and defaults; it records the request in `net.recorded_requests` instead of sending it)
 * and Vault's `vault.decrypted_secrets` view (over a plain table, `vault.stand_in_secrets`).
 */
export async function installPgNetAndVaultStandIns(client: pg.Client): Promise<void> {
  await client.query(`
    create schema if not exists net;
    create table if not exists net.recorded_requests (
      id bigint generated always as identity primary key,
      url text not null, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer
    );
    create or replace function net.http_post(
      url text,
      body jsonb default '{}'::jsonb,
      params jsonb default '{}'::jsonb,
      headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
      timeout_milliseconds integer default 5000
    ) returns bigint language plpgsql as $$
    declare request_id bigint;
    begin
      if url is null then raise exception 'url must not be null (is the Vault secret missing?)'; end if;
      insert into net.recorded_requests (url, body, params, headers, timeout_milliseconds)
      values (url, body, params, headers, timeout_milliseconds) returning id into request_id;
      return request_id;
    end $$;
    create schema if not exists vault;
    create table if not exists vault.stand_in_secrets (name text primary key, secret text not null);
    create or replace view vault.decrypted_secrets as select name, secret as decrypted_secret from vault.stand_in_secrets;
  `)
}

/**
 * Sends a recorded request again, for real, to `target`: the recorded URL's part after `recordedBase`
 * (the Vault URL, e.g. `https://<ref>.supabase.co/functions/v1`) is appended to `target`, so the same
 * recording can be replayed against a Node-served handler or a Deno-served function.
 *
 * @example
 * const response = await replayRecordedRequest(recorded, { recordedBase: vaultUrl, target: served.url })
 */
export function replayRecordedRequest(
  recorded: RecordedRequest,
  options: { recordedBase: string; target: string },
): Promise<Response> {
  if (!recorded.url.startsWith(options.recordedBase)) {
    throw new Error(`recorded URL ${recorded.url} is not under ${options.recordedBase}`)
  }
  return fetch(`${options.target}${recorded.url.slice(options.recordedBase.length)}`, {
    method: 'POST',
    headers: recorded.headers,
    body: JSON.stringify(recorded.body),
    signal: AbortSignal.timeout(recorded.timeout_milliseconds),
  })
}
