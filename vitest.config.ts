import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests run the workspace's TypeScript sources, so `npm test` needs no build first.
    alias: [
      {
        find: /^@nightshift\/jobs-core\/testing$/,
        replacement: here('./packages/jobs-core/src/testing/index.ts'),
      },
      {
        find: /^@nightshift\/jobs-core\/jobs-module$/,
        replacement: here('./packages/jobs-core/src/jobs-module/index.ts'),
      },
      { find: /^@nightshift\/jobs-core$/, replacement: here('./packages/jobs-core/src/index.ts') },
      {
        find: /^@nightshift\/adapter-express$/,
        replacement: here('./packages/adapter-express/src/index.ts'),
      },
      {
        find: /^@nightshift\/adapter-supabase$/,
        replacement: here('./packages/adapter-supabase/src/index.ts'),
      },
      {
        find: /^@nightshift\/adapter-gha$/,
        replacement: here('./packages/adapter-gha/src/public-api.ts'),
      },
      { find: /^@nightshift\/example-booking$/, replacement: here('./examples/booking/src/index.ts') },
    ],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
      'test-support/test/**/*.test.ts',
      'chaos/**/*.test.ts',
    ],
    globalSetup: ['./test-support/postgres-global-setup.ts'],
    // Every test file fails when what it printed holds a registered secret (chaos/support/secret-scan.ts).
    setupFiles: ['./chaos/support/secret-scan-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Files run in parallel processes; each creates its own database, so none shares state.
    pool: 'forks',
    maxWorkers: 2,
    // GitHub's workflow parser imports JSON without import attributes, which Node refuses; inlined,
    // Vite transforms those imports.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
})
