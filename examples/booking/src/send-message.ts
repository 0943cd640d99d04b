import { type JobContext, JobFailError, NightshiftError, type TransactionClient } from '@nightshift/jobs-core'
import type { BookingDependencies } from './booking-dependencies.js'
import { DeliveryError, type MessageChannel, type OutgoingMessage } from './message-channel.js'

async function audit(
  deps: BookingDependencies,
  db: TransactionClient,
  channel: MessageChannel,
  message: OutgoingMessage,
  ctx: Pick<JobContext, 'jobId' | 'attempt'>,
  outcome: { ok: boolean; error?: string; response?: unknown },
): Promise<void> {
  await db.query(
    `insert into booking.message_audit
       (channel, provider, recipient, template, ok, error, provider_response, job_id, attempt, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      channel.channel,
      channel.provider,
      message.to,
      message.template,
      outcome.ok,
      outcome.error ?? null,
      outcome.response === undefined ? null : JSON.stringify(outcome.response),
      ctx.jobId,
      ctx.attempt,
      deps.now(),
    ],
  )
}

/**
 * The body of `send-whatsapp` and `send-email`: one attempt, one message_audit row, whatever happens.
 * A permanent provider error (an invalid number, a rejected address) or a missing setting ends the job
 * `failed` at once (JobFailError), with the provider's message: no retry can fix it, and `failed` keeps
 * it in the dead-letter set, where monitoring counts it and `jobs.retry(id)` sends it again once the
 * number or the setting is fixed. Anything else is thrown so the job's backoff retries it, up to its
 * max attempts.
 *
 * The audit row of a delivered message commits with the job's completion (`ctx.transaction`): a job is
 * `completed` exactly when it has its row with `ok` and no error, whatever crashed or raced. The send
 * itself is an HTTP call (or SMTP), at least once: the WhatsApp Cloud API documents no idempotency key
 * and SMTP has none, so a run cut off after the provider accepted and before the commit sends again on
 * the retry. A run that sent but had lost its job (lease expired; another run sends it) records its
 * send with the error `lease lost…`, so the audit shows the duplicate; a run killed in that moment
 * leaves no row (its job runs again and records the send that counts).
 *
 * @example
 * run: (input, ctx) => sendMessage(deps, deps.channels.email, input, ctx)
 */
export async function sendMessage(
  deps: BookingDependencies,
  channel: MessageChannel,
  message: OutgoingMessage,
  ctx: Pick<JobContext, 'jobId' | 'attempt' | 'signal' | 'transaction'>,
): Promise<{ provider: string; response: unknown }> {
  let response: unknown
  try {
    response = (await channel.send(message, ctx.signal)).response
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error)
    // A failed attempt is recorded on its own: the attempt fails, nothing else commits with it.
    await audit(deps, deps.db, channel, message, ctx, {
      ok: false,
      error: text,
      response: error instanceof DeliveryError ? error.response : undefined,
    })
    if (error instanceof DeliveryError && error.permanent) throw new JobFailError(text, { cause: error })
    throw error
  }
  try {
    return await ctx.transaction(async (tx) => {
      await audit(deps, tx, channel, message, ctx, { ok: true, response })
      return { provider: channel.provider, response }
    })
  } catch (error) {
    if (error instanceof NightshiftError && error.code === 'lease_lost') {
      await audit(deps, deps.db, channel, message, ctx, {
        ok: true,
        error: `lease lost: sent by attempt ${ctx.attempt} after its job was taken by another run, which sends it again`,
        response,
      })
    }
    throw error
  }
}
