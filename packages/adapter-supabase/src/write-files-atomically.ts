/**
 * Writes files into `dir` all or nothing: each is written complete under a temporary name first, then
 * renamed into place; a failure removes every file this call wrote. Returns the paths written.
 */
export async function writeFilesAtomically(
  dir: string,
  files: readonly { name: string; text: string }[],
): Promise<string[]> {
  const { mkdir, rename, rm, writeFile } = await import('node:fs/promises')
  const { join } = await import('node:path')
  await mkdir(dir, { recursive: true })
  const temporary: string[] = []
  const written: string[] = []
  try {
    for (const file of files) {
      // A dot name that does not end in .sql: `supabase db push` never reads it.
      const path = join(dir, `.${file.name}.${process.pid}.tmp`)
      temporary.push(path)
      await writeFile(path, file.text, { flag: 'wx' })
    }
    for (const [index, file] of files.entries()) {
      const path = join(dir, file.name)
      await rename(temporary[index] as string, path)
      written.push(path)
    }
  } catch (error) {
    await Promise.all([...temporary, ...written].map((path) => rm(path, { force: true })))
    throw error
  }
  return written
}
