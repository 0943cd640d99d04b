import { randomBytes } from 'node:crypto'

/** The booking app's secrets, by the names its workflows use. */
export interface ServerSecrets {
  SUPABASE_SERVICE_ROLE_KEY: string
  CRON_SECRET: string
  SCHEDULER_SECRET_TOKEN: string
  /** Optional: a header that also carries SCHEDULER_SECRET_TOKEN. */
  SCHEDULER_SECRET_HEADER: string | undefined
  /** Names of the secrets that were unset and generated for this run. */
  generated: string[]
}

const names = ['SUPABASE_SERVICE_ROLE_KEY', 'CRON_SECRET', 'SCHEDULER_SECRET_TOKEN'] as const

/**
 * The secrets from the environment; an unset one is generated for this run (a local demo needs no
 * setup), and `generated` says which so the caller can print them once.
 *
 * @example
 * const secrets = serverSecrets(process.env)
 */
export function serverSecrets(env: NodeJS.ProcessEnv): ServerSecrets {
  const generated: string[] = []
  const value = (name: (typeof names)[number]) => {
    const given = env[name]
    if (given) return given
    generated.push(name)
    return `local-${randomBytes(18).toString('base64url')}`
  }
  return {
    SUPABASE_SERVICE_ROLE_KEY: value('SUPABASE_SERVICE_ROLE_KEY'),
    CRON_SECRET: value('CRON_SECRET'),
    SCHEDULER_SECRET_TOKEN: value('SCHEDULER_SECRET_TOKEN'),
    SCHEDULER_SECRET_HEADER: env.SCHEDULER_SECRET_HEADER || undefined,
    generated,
  }
}
