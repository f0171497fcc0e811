import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../../shared/errors'
import { preprocessSpecKey, type PreprocessSpec } from '../preprocess/spec'

/** Everything an embedding depends on. */
export interface EmbeddingKeyParts {
  /** SHA-256 (hex) of the image file's bytes. */
  contentSha256: string
  /** Frame of the file, 0-based (a volume's slice along `plane`). */
  frame: number
  /** NIfTI volumes: the plane `frame` counts along; absent for other files (their keys stay as they were). */
  plane?: string
  /** Identity of the backbone weights and graph (planSha256 of its inference plan). */
  backboneId: string
  preprocess: PreprocessSpec
  /** Augmentation variant; 0 = none. */
  variant: number
}

/** SHA-256 (hex) cache key of an embedding: changes when any input of the computation changes. */
export function embeddingKey(parts: EmbeddingKeyParts): string {
  const canonical = JSON.stringify({
    v: 1,
    content: parts.contentSha256,
    frame: parts.frame,
    ...(parts.plane ? { plane: parts.plane } : {}),
    backbone: parts.backboneId,
    preprocess: preprocessSpecKey(parts.preprocess),
    variant: parts.variant
  })
  return createHash('sha256').update(canonical).digest('hex')
}

/** SHA-256 (hex) of a file's bytes. */
export async function fileSha256(file: string): Promise<string> {
  try {
    return createHash('sha256')
      .update(await fs.readFile(file))
      .digest('hex')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO'
    throw new AppError(code, `${file}: cannot read to hash it: ${(err as Error).message}`)
  }
}

const KEY = /^[0-9a-f]{64}$/

/**
 * Embeddings on disk, one little-endian float32 file per key at `<dir>/<key[0..2]>/<key>.f32`. Writes are
 * atomic (temp file + rename), so a crash never leaves a truncated vector; a file of the wrong length reads
 * as a miss.
 */
export class EmbeddingCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    if (!KEY.test(key))
      throw new AppError('INVALID_ARGUMENT', `embedding cache ${this.dir}: key "${key}" is not a SHA-256 hex`)
    return path.join(this.dir, key.slice(0, 2), `${key}.f32`)
  }

  /** The vectors of `keys` (each `dim` float32) in order, null where absent or of another length. */
  async getMany(keys: readonly string[], dim: number): Promise<(Float32Array | null)[]> {
    return Promise.all(
      keys.map(async (key) => {
        let bytes: Buffer
        try {
          bytes = await fs.readFile(this.file(key))
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
          throw err instanceof AppError
            ? err
            : new AppError('IO', `embedding cache ${this.dir}: ${(err as Error).message}`)
        }
        if (bytes.length !== dim * 4) return null
        const out = new Float32Array(dim)
        new Uint8Array(out.buffer).set(bytes)
        return out
      })
    )
  }

  /** Stores vectors under their keys, replacing existing ones. */
  async putMany(entries: ReadonlyArray<{ key: string; vector: Float32Array }>): Promise<void> {
    await Promise.all(
      entries.map(async ({ key, vector }) => {
        const file = this.file(key)
        const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`
        try {
          await fs.mkdir(path.dirname(file), { recursive: true })
          await fs.writeFile(tmp, new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength))
          await fs.rename(tmp, file)
        } catch (err) {
          await fs.rm(tmp, { force: true })
          throw new AppError('IO', `embedding cache ${this.dir}: cannot write ${file}: ${(err as Error).message}`)
        }
      })
    )
  }
}
