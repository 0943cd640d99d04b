import { execFile } from 'node:child_process'
import { cp, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The environment without npm's own `npm_*` variables, so an `npm run` above us configures nothing here. */
export function environmentWithoutNpm(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)))
  return { ...env, ...extra }
}

/** What a scratch app's package.json says. */
export interface ScratchAppManifest {
  /** name → version or `file:<tarball>`. */
  dependencies: Record<string, string>
  overrides?: Record<string, string>
  type?: 'module' | 'commonjs'
}

/**
 * Copies `consumer/apps/<app>` into a fresh folder under the system's temporary folder (outside the
 * repository, so nothing resolves from the workspace), writes its package.json and runs `npm install`
 * there as a user would. Returns the folder.
 *
 * @example
 * const dir = await installScratchApp('esm-app', { dependencies: { '@nightshift/jobs-core': `file:${tarball}` } })
 */
export async function installScratchApp(app: string, manifest: ScratchAppManifest): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `nightshift-${app}-`))
  await cp(new URL(`./apps/${app}/`, import.meta.url), dir, { recursive: true })
  const packageJson = { name: `nightshift-${app}`, private: true, ...manifest }
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`)
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    env: environmentWithoutNpm(),
    maxBuffer: 16 * 1024 * 1024,
  })
  return dir
}
