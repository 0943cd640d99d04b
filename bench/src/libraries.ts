import type { BenchLibrary } from './bench-library.js'
import { graphileLibrary } from './graphile-library.js'
import { nightshiftLibrary } from './nightshift-library.js'
import { pgBossLibrary } from './pgboss-library.js'

/** Every library the benchmark compares, nightshift first. */
export const libraries: readonly BenchLibrary[] = [nightshiftLibrary, graphileLibrary, pgBossLibrary]
