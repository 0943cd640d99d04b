import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

/** A mail the in-process SMTP server received. */
export interface ReceivedMail {
  from: string
  to: string[]
  raw: string
}

/**
 * A real SMTP server in-process (npm smtp-server) on an ephemeral port, no TLS, no auth; it keeps what
 * nodemailer sends. `rejectRecipient` makes it answer 550 for one address.
 */
export async function startSmtpInbox() {
  const mails: ReceivedMail[] = []
  const rejected = new Set<string>()
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (rejected.has(address.address)) {
        const error = Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 })
        callback(error)
        return
      }
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    rejectRecipient: (address: string) => rejected.add(address),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
