import { randomUUID } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { MAX_DROP_CHUNK } from '../../../shared/contract/imaging'
import { AppError } from '../../../shared/errors'

/** Uploads in progress at once; a new one beyond this drops the oldest. */
const MAX_UPLOADS = 4
/** Dropped files older than this are deleted when the next upload starts. */
const KEEP_DROPPED_MS = 24 * 60 * 60 * 1000

interface Upload {
  id: string
  file: string
  size: number
  received: number
}

/** One chunk of a dropped file as the contract delivers it. */
export interface DropChunk {
  uploadId?: string
  name: string
  /** Total file size, bytes. */
  size: number
  /** Where `data` starts, bytes. */
  offset: number
  /** Base64. */
  data: string
}

/**
 * Receives dropped files in order-checked chunks and writes them to `<cache>/dropped/<uploadId>/<name>`.
 * The browser bridge carries at most 1 MiB per message and JSON only, so a dropped file arrives as base64
 * chunks of ≤ 512 KiB.
 */
export class DropUploads {
  private readonly uploads = new Map<string, Upload>()

  constructor(private readonly droppedDir: string) {}

  /**
   * Appends one chunk.
   * @returns the upload's id, bytes received, and the finished file's path once all `size` bytes arrived.
   * @throws AppError INVALID_ARGUMENT for an unknown upload, an out-of-order or oversized chunk; IO on write failure.
   */
  async append(chunk: DropChunk): Promise<{ uploadId: string; received: number; file: string | null }> {
    const bytes = Buffer.from(chunk.data, 'base64')
    if (bytes.length > MAX_DROP_CHUNK) {
      throw new AppError('INVALID_ARGUMENT', `dropped file ${chunk.name}: chunk of ${bytes.length} bytes is too large`)
    }
    const up = chunk.uploadId ? this.uploads.get(chunk.uploadId) : await this.start(chunk)
    if (!up) throw new AppError('INVALID_ARGUMENT', `dropped file ${chunk.name}: upload ${chunk.uploadId} is unknown`)
    if (chunk.offset !== up.received || chunk.size !== up.size) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `dropped file ${chunk.name}: chunk at ${chunk.offset} of ${chunk.size} bytes does not follow ${up.received} of ${up.size}`
      )
    }
    if (up.received + bytes.length > up.size) {
      throw new AppError('INVALID_ARGUMENT', `dropped file ${chunk.name}: more bytes than the announced ${up.size}`)
    }
    try {
      await fs.appendFile(up.file, bytes)
    } catch (err) {
      this.uploads.delete(up.id)
      throw new AppError('IO', `${up.file}: cannot write dropped file (${(err as NodeJS.ErrnoException).code ?? err})`)
    }
    up.received += bytes.length
    const done = up.received === up.size
    if (done) this.uploads.delete(up.id)
    return { uploadId: up.id, received: up.received, file: done ? up.file : null }
  }

  private async start(chunk: DropChunk): Promise<Upload> {
    if (chunk.offset !== 0) {
      throw new AppError('INVALID_ARGUMENT', `dropped file ${chunk.name}: a new upload must start at offset 0`)
    }
    await this.prune()
    const id = randomUUID()
    // The schema already forbids separators; '.'/'..' alone would still name a folder.
    const safe = chunk.name === '.' || chunk.name === '..' ? 'dropped' : chunk.name
    const dir = path.join(this.droppedDir, id)
    try {
      await fs.mkdir(dir, { recursive: true })
      await fs.writeFile(path.join(dir, safe), new Uint8Array(0))
    } catch (err) {
      throw new AppError('IO', `${dir}: cannot store dropped file (${(err as NodeJS.ErrnoException).code ?? err})`)
    }
    const up: Upload = { id, file: path.join(dir, safe), size: chunk.size, received: 0 }
    this.uploads.set(id, up)
    while (this.uploads.size > MAX_UPLOADS) {
      const oldest = this.uploads.keys().next().value as string
      this.uploads.delete(oldest)
    }
    return up
  }

  /** Deletes dropped files from earlier sessions, so the cache does not grow without bound. */
  private async prune(): Promise<void> {
    let names: string[]
    try {
      names = await fs.readdir(this.droppedDir)
    } catch {
      return
    }
    const now = Date.now()
    for (const name of names) {
      if (this.uploads.has(name)) continue
      const p = path.join(this.droppedDir, name)
      try {
        const st = await fs.stat(p)
        if (now - st.mtimeMs > KEEP_DROPPED_MS) await fs.rm(p, { recursive: true, force: true })
      } catch {
        // Another instance may be pruning the same folder; nothing to do.
      }
    }
  }
}
