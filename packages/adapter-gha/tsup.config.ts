import { defineConfig, type Options } from 'tsup'

/**
 * The Action's bundle: one self-contained `dist/index.js` (the runner installs nothing), committed,
 * and checked against a fresh build by test/committed-dist-matches-a-fresh-build.test.ts. Node 20
 * syntax, so it also runs where Node 20 is the newest (the runner itself uses node24). ESM, with a
 * `require` for the CommonJS dependencies (pg) that load Node's built-ins.
 * `NIGHTSHIFT_ACTION_OUT_DIR` builds it elsewhere, for that test.
 */
export const actionBundle: Options = {
  entry: { index: 'src/index.ts' },
  outDir: process.env.NIGHTSHIFT_ACTION_OUT_DIR ?? 'dist',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  noExternal: [/.*/],
  // pg's optional native binding, never installed.
  external: ['pg-native'],
  splitting: false,
  sourcemap: false,
  dts: false,
  clean: false,
  minify: false,
  tsconfig: 'tsconfig.json',
  banner: {
    js: "import { createRequire as nightshiftRequire } from 'node:module';\nconst require = nightshiftRequire(import.meta.url);",
  },
}

export default defineConfig(
  process.env.NIGHTSHIFT_ACTION_OUT_DIR
    ? [actionBundle]
    : [
        actionBundle,
        {
          // The library (generator, linter, the run() the Action calls) and the CLI, for npm.
          entry: { 'public-api': 'src/public-api.ts', cli: 'src/cli.ts' },
          format: ['esm'],
          platform: 'node',
          target: 'node20',
          dts: { entry: { 'public-api': 'src/public-api.ts' } },
          sourcemap: true,
          clean: false,
          tsconfig: 'tsconfig.json',
          external: ['@nightshift/jobs-core', '@actions/core', 'yaml'],
        },
      ],
)
