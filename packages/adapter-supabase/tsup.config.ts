import { defineConfig } from 'tsup'

export default defineConfig({
  // The bin is built beside the library: dist/cli.js (ESM; the package is "type": "module").
  entry: { index: 'src/index.ts', cli: 'src/cli/nightshift-supabase.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  tsconfig: 'tsconfig.json',
  // The core and supabase-js are the user's own copies, never bundled in.
  external: ['@nightshift/jobs-core', '@supabase/supabase-js'],
})
