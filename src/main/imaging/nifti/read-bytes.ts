import fs from 'node:fs/promises'
import zlib from 'node:zlib'
import { AppError } from '../../../shared/errors'
import { openError } from '../../fs/open-error'

/** gzip member magic (RFC 1952). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
}

function ioError(file: string, err: unknown): AppError {
  if (err instanceof AppError) return err
  if ((err as NodeJS.ErrnoException).code === 'EISDIR')
    return new AppError('INVALID_ARGUMENT', `${file}: is a folder, not a NIfTI file`)
  return openError(file, err)
}

/**
 * Reads at most `limit(head)` bytes from the start of a file, where `head` is its first `headBytes`:
 * the caller sizes the read from the header, so a huge file is never read whole.
 * @returns the bytes read and the file's size.
 */
export async function readPrefix(
  file: string,
  headBytes: number,
  limit: (head: Buffer, size: number) => number
): Promise<{ bytes: Buffer; size: number }> {
  let fh: fs.FileHandle | undefined
  try {
    fh = await fs.open(file, 'r')
    const { size } = await fh.stat()
    const head = Buffer.alloc(Math.min(size, headBytes))
    await fh.read(head, 0, head.length, 0)
    const want = Math.min(size, Math.max(head.length, limit(head, size)))
    if (want <= head.length) return { bytes: head.subarray(0, want), size }
    const bytes = Buffer.allocUnsafe(want)
    head.copy(bytes)
    let at = head.length
    while (at < want) {
      const { bytesRead } = await fh.read(bytes, at, want - at, at)
      if (!bytesRead) break
      at += bytesRead
    }
    return { bytes: bytes.subarray(0, at), size }
  } catch (err) {
    throw ioError(file, err)
  } finally {
    await fh?.close()
  }
}

/** What `inflatePrefix` produced. */
export interface Inflated {
  bytes: Buffer
  /** True when the gzip stream ended (with a valid trailer) before `need` bytes came out. */
  endedEarly: boolean
  /** Set when the gzip stream itself is damaged or cut off before `need` bytes. */
  streamError?: string
}

/**
 * Decompresses a gzip file only as far as needed: `needFor(prefix)` is asked with the output so far and
 * returns how many bytes are wanted in total (or undefined while it cannot tell yet, e.g. before the
 * header is complete). Output beyond that is never kept, so a huge or malicious stream costs at most
 * what the header legitimately declares, and the caller has refused absurd declarations by then.
 */
export function inflatePrefix(compressed: Buffer, needFor: (prefix: Buffer) => number | undefined): Promise<Inflated> {
  return new Promise((resolve, reject) => {
    const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 })
    let head: Buffer[] = []
    let headLen = 0
    let out: Buffer | undefined
    let filled = 0
    let need: number | undefined
    let done = false
    const finish = (res: Inflated) => {
      if (done) return
      done = true
      gunzip.removeAllListeners('data')
      gunzip.destroy()
      resolve(res)
    }
    const current = () => (out ? out.subarray(0, filled) : Buffer.concat(head, headLen))
    // The output buffer grows toward `need` as data arrives, so a tiny file that declares a huge volume
    // costs what it really inflates to, not what it declares.
    const append = (chunk: Buffer) => {
      const n = Math.min(chunk.length, need! - filled)
      if (filled + n > out!.length) {
        const grown = Buffer.allocUnsafe(Math.min(need!, Math.max(out!.length * 2, filled + n)))
        out!.copy(grown, 0, 0, filled)
        out = grown
      }
      chunk.copy(out!, filled, 0, n)
      filled += n
    }
    gunzip.on('data', (chunk: Buffer) => {
      if (done) return
      if (!out) {
        head.push(chunk)
        headLen += chunk.length
        try {
          need = needFor(Buffer.concat(head, headLen))
        } catch (err) {
          done = true
          gunzip.destroy()
          reject(err)
          return
        }
        if (need === undefined) return
        out = Buffer.allocUnsafe(Math.min(need, Math.max(1 << 20, compressed.length * 4)))
        for (const c of head) append(c)
        head = []
      } else append(chunk)
      if (filled >= need!) finish({ bytes: out.subarray(0, filled), endedEarly: false })
    })
    gunzip.on('end', () => finish({ bytes: current(), endedEarly: true }))
    gunzip.on('error', (err) => finish({ bytes: current(), endedEarly: false, streamError: err.message }))
    gunzip.end(compressed)
  })
}
