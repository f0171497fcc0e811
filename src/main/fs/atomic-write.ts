import fs from 'node:fs'
import { AppError } from '../../shared/errors'

/** Write-then-rename, with an fsync so the rename never exposes an empty file after a power loss. */
export function atomicWrite(file: string, data: Buffer | string): void {
  const tmp = `${file}.tmp-${process.pid}`
  try {
    const fd = fs.openSync(tmp, 'w')
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, file)
  } catch (err) {
    fs.rmSync(tmp, { force: true })
    const e = err as NodeJS.ErrnoException
    const why =
      e.code === 'ENOSPC'
        ? 'the disk is full'
        : e.code === 'EROFS' || e.code === 'EACCES'
          ? 'the folder is not writable'
          : e.message
    throw new AppError('IO', `cannot write ${file}: ${why}`)
  }
}
