import fs from 'node:fs'
import { AppError } from '../../shared/errors'

/**
 * Write-then-rename, so a crash or a full disk never leaves a half-written file where a good one was. With
 * `durable` (the default) an fsync comes first, so the rename never exposes an empty file after a power
 * loss either; files whose reader checks them and can do without them (resume points) skip it.
 */
export function atomicWrite(file: string, data: Buffer | string, opts: { durable?: boolean } = {}): void {
  const tmp = `${file}.tmp-${process.pid}`
  try {
    const fd = fs.openSync(tmp, 'w')
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
      if (opts.durable !== false) fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, file)
  } catch (err) {
    fs.rmSync(tmp, { force: true })
    throw writeError(file, err)
  }
}

/** atomicWrite on libuv's threads: the engine's JS thread goes on while the bytes are written. */
export async function atomicWriteAsync(
  file: string,
  data: Buffer | string,
  opts: { durable?: boolean } = {}
): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`
  try {
    const fh = await fs.promises.open(tmp, 'w')
    try {
      await fh.writeFile(data)
      if (opts.durable !== false) await fh.sync()
    } finally {
      await fh.close()
    }
    await fs.promises.rename(tmp, file)
  } catch (err) {
    await fs.promises.rm(tmp, { force: true })
    throw writeError(file, err)
  }
}

function writeError(file: string, err: unknown): AppError {
  const e = err as NodeJS.ErrnoException
  const why =
    e.code === 'ENOSPC'
      ? 'the disk is full'
      : e.code === 'EROFS' || e.code === 'EACCES'
        ? 'the folder is not writable'
        : e.message
  return new AppError('IO', `cannot write ${file}: ${why}`)
}
