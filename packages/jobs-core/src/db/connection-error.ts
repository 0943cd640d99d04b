/**
 * Whether an error means the database could not be reached or dropped the connection (as opposed to a
 * statement it refused): Node's network errors, SQLSTATE class 08 (connection exception), 57P01–57P03
 * (administrator shutdown, crash shutdown, cannot connect now), 53300 (too many connections), and a
 * statement the database did not answer within `queryTimeoutMs`.
 */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') {
    // node-postgres reports a connection that ended or timed out without a code.
    const message = error instanceof Error ? error.message : ''
    return /connection terminated|connection timeout|timeout exceeded when trying to connect|query timed out/i.test(
      message,
    )
  }
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'EPIPE'].includes(
      code,
    ) ||
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', '53300'].includes(code)
  )
}
