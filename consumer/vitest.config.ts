import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The consumer test: the packages as npm delivers them, in apps outside the repository. Apart from
// `npm test` because it needs every package built (`npm run build`) and reaches the npm registry.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['consumer/**/*.test.ts'],
    globalSetup: ['./test-support/postgres-global-setup.ts'],
    // npm installs from the registry, tsc and Deno: minutes on a cold cache, not seconds.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    maxConcurrency: 3,
  },
})
