import { defineConfig } from 'tsup'

// dist/ is emptied by the build script first: the two builds run at once, so neither may clean it.
export default defineConfig([
  {
    entry: ['src/index.ts', 'src/testing/index.ts', 'src/jobs-module/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    tsconfig: 'tsconfig.json',
  },
  {
    // The `nightshift` command: a host of its own, never imported by the library.
    entry: { cli: 'cli/main.ts' },
    format: ['esm'],
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: true,
    target: 'es2022',
    tsconfig: 'tsconfig.json',
  },
])
