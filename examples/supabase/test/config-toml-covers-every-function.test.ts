import { readdirSync, readFileSync } from 'node:fs'
import { expect, it } from 'vitest'

const supabaseDir = new URL('../supabase/', import.meta.url)

/** The `[functions.<name>]` sections of config.toml and their keys (the file is flat key = value TOML). */
function functionSections(): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {}
  let current: Record<string, string> | undefined
  for (const line of readFileSync(new URL('config.toml', supabaseDir), 'utf8').split('\n')) {
    const header = /^\[(.+)\]$/.exec(line.trim())
    if (header) {
      const name = /^functions\.(.+)$/.exec(header[1] as string)?.[1]
      current = name === undefined ? undefined : {}
      if (name !== undefined && current) sections[name] = current
      continue
    }
    const entry = /^([a-z_]+)\s*=\s*(.+)$/.exec(line.trim())
    if (current && entry) current[entry[1] as string] = entry[2] as string
  }
  return sections
}

it('config.toml lists every function folder, with verify_jwt = false and its own entrypoint', () => {
  const folders = readdirSync(new URL('functions/', supabaseDir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('_'))
    .map((entry) => entry.name)
    .sort()
  const sections = functionSections()
  expect(Object.keys(sections).sort()).toEqual(folders)
  for (const name of folders) {
    // The gateway must let non-JWT secrets (CRON_SECRET, scheduler tokens) reach the function's own auth.
    expect(sections[name]).toEqual({
      enabled: 'true',
      verify_jwt: 'false',
      import_map: '"./functions/deno.json"',
      entrypoint: `"./functions/${name}/index.ts"`,
    })
  }
})
