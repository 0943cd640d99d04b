#!/usr/bin/env node
// The `nightshift-supabase` bin: see run-cli.ts.
import { runCli } from './run-cli.js'

void runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code
})
