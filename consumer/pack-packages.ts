import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))

/** The four packages published to npm, by workspace folder. */
export const publishedPackages = {
  '@nightshift/jobs-core': 'packages/jobs-core',
  '@nightshift/adapter-express': 'packages/adapter-express',
  '@nightshift/adapter-supabase': 'packages/adapter-supabase',
  '@nightshift/adapter-gha': 'packages/adapter-gha',
} as const

export type PublishedPackage = keyof typeof publishedPackages

/** One tarball `npm pack` wrote: what `npm publish` would upload. */
export interface PackedPackage {
  name: PublishedPackage
  version: string
  /** The tarball's absolute path. */
  file: string
  /** Bytes of the tarball, and of its files unpacked. */
  size: number
  unpackedSize: number
  files: string[]
}

/**
 * `npm pack` of every published package into `destination`, from the workspace's built `dist/` (the
 * packages' `files` decide what goes in, as for `npm publish`).
 *
 * @example
 * const packed = await packPackages(await mkdtemp(join(tmpdir(), 'nightshift-packed-')))
 */
export async function packPackages(destination: string): Promise<Record<PublishedPackage, PackedPackage>> {
  for (const [name, folder] of Object.entries(publishedPackages)) {
    if (!existsSync(join(root, folder, 'dist'))) {
      throw new Error(`${name} is not built (${folder}/dist is missing): run npm run build first`)
    }
  }
  const workspaces = Object.keys(publishedPackages).flatMap((name) => ['--workspace', name])
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination, ...workspaces], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  })
  const reports = JSON.parse(stdout) as {
    name: PublishedPackage
    version: string
    filename: string
    size: number
    unpackedSize: number
    files: { path: string }[]
  }[]
  return Object.fromEntries(
    reports.map((report) => [
      report.name,
      {
        name: report.name,
        version: report.version,
        file: join(destination, report.filename),
        size: report.size,
        unpackedSize: report.unpackedSize,
        files: report.files.map((file) => file.path),
      },
    ]),
  ) as Record<PublishedPackage, PackedPackage>
}
