import { type AnyJobDefinition, NightshiftError } from '@nightshift/jobs-core'

/** Job definitions as an array, a `Map` (`jobs.definitions`) or any iterable. */
export type DefinitionsInput = Iterable<AnyJobDefinition> | ReadonlyMap<string, AnyJobDefinition>

/** The scheduled definitions, in the order given, without the `exclude`d names (each must be a job). */
export function scheduledDefinitions(
  definitions: DefinitionsInput,
  exclude: readonly string[] = [],
): AnyJobDefinition[] {
  const list =
    definitions instanceof Map ? [...definitions.values()] : [...(definitions as Iterable<AnyJobDefinition>)]
  for (const name of exclude) {
    if (!list.some((definition) => definition.name === name)) {
      throw new NightshiftError('invalid_option', `exclude names "${name}", which is not one of the jobs`)
    }
  }
  return list.filter((definition) => definition.schedule !== undefined && !exclude.includes(definition.name))
}

/** A SQL string literal: single quotes doubled. */
export function sqlText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

/** Checks a pg_cron job-name prefix: it names nightshift's cron jobs, and only those are replaced or removed. */
export function cronPrefix(prefix: string): string {
  if (typeof prefix !== 'string' || !/^[a-z0-9][a-z0-9_:-]*$/.test(prefix)) {
    throw new NightshiftError(
      'invalid_option',
      `prefix ${JSON.stringify(prefix)} must be lower-case letters, digits, _, : or - (it names the pg_cron jobs)`,
    )
  }
  return prefix
}

/**
 * `cron.schedule` of each job (pg_cron 1.3+ replaces a job of the same name, so running the script
 * again updates it) after unscheduling the prefix's jobs that are no longer in the list. The command is
 * dollar-quoted; the tag is checked not to occur in it.
 */
export function scheduleScript(
  prefix: string,
  jobs: readonly { name: string; cron: string; command: string }[],
): string {
  const names = jobs.map((job) => sqlText(`${prefix}${job.name}`))
  const stale = `select cron.unschedule(jobid) from cron.job\nwhere left(jobname, ${prefix.length}) = ${sqlText(prefix)}${names.length ? ` and jobname not in (${names.join(', ')})` : ''};`
  const schedules = jobs.map((job) => {
    if (job.command.includes('$nightshift$'))
      throw new Error(`the command of ${job.name} contains $nightshift$`)
    return `select cron.schedule(${sqlText(`${prefix}${job.name}`)}, ${sqlText(job.cron)}, $nightshift$${job.command}$nightshift$);`
  })
  return [stale, ...schedules].join('\n\n')
}

/** Removes every pg_cron job whose name starts with `prefix`; safe to run when there is none. */
export function unscheduleScript(prefix: string): string {
  return `select cron.unschedule(jobid) from cron.job where left(jobname, ${prefix.length}) = ${sqlText(prefix)};`
}
