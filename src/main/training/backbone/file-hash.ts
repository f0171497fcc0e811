import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { AppError } from '../../../shared/errors'

/**
 * SHA-256 (hex) of the bytes of `paths`, read in order and hashed as one stream, so a weight set split
 * over several files has one identity. Throws NOT_FOUND/IO naming the file.
 */
export async function sha256OfFiles(paths: readonly string[]): Promise<string> {
  const hash = createHash('sha256')
  for (const p of paths) {
    try {
      for await (const chunk of fs.createReadStream(p)) hash.update(chunk as Buffer)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO'
      throw new AppError(code, `cannot read ${p} to hash it: ${(err as Error).message}`)
    }
  }
  return hash.digest('hex')
}
