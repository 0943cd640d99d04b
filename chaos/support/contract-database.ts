import { createJobs } from '@nightshift/jobs-core'
import { contractJobs } from '@nightshift/jobs-core/testing'
import pg from 'pg'

/**
 * Gives the database at `url` nightshift's tables (migrated for the contract's jobs) and the `effects`
 * table the Deno test function's `slow-job` writes to.
 *
 * @example
 * await migrateContractDatabase(db.url)
 */
export async function migrateContractDatabase(url: string): Promise<void> {
  const jobs = createJobs({ db: url, jobs: contractJobs(), logger: false })
  try {
    await jobs.migrate()
  } finally {
    await jobs.close()
  }
  const db = new pg.Client({ connectionString: url })
  await db.connect()
  try {
    await db.query('create table effects (id serial primary key, job_id bigint not null, what text not null)')
  } finally {
    await db.end()
  }
}

/**
 * Creates `name` on the server `adminUrl` points at, migrated by `migrateContractDatabase`; returns its URL.
 *
 * @example
 * const url = await createContractDatabase(cluster.url(), 'core')
 */
export async function createContractDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  await migrateContractDatabase(url.toString())
  return url.toString()
}
