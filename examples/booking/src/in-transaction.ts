import type pg from 'pg'

/**
 * Runs `work` inside BEGIN/COMMIT on one pooled client, rolling back on error: for a job's body called
 * outside `ctx.transaction` (a script, a test), and for the demo-data (`npm run seed`) and adopt
 * commands. Notifications are enqueued on this client, so they commit or vanish with the change that
 * caused them.
 *
 * @example
 * await inTransaction(pool, (client) => client.query('update booking.bookings set paid_at = now()'))
 */
export async function inTransaction<T>(db: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect()
  try {
    await client.query('begin')
    const result = await work(client)
    await client.query('commit')
    return result
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}
