// The bench's pooler workload loads PgBouncer's starter from this path at run time; it lives in
// test-support/start-pgbouncer.ts with every other test's. Remove this file once bench/ loads that one.
export {
  pgbouncerMissing,
  type RunningPgBouncer,
  startPgBouncer,
} from '../../../test-support/start-pgbouncer.js'
