import { open } from 'node:fs/promises'
import { AppError } from '../../shared/errors'
import { openError } from '../fs/open-error'
import { sniffDicomLayout } from './dicom/sniff'
import type { ImageKind } from './types'

/**
 * Recognises an image by content: PNG signature, JPEG SOI+marker, or DICOM (Part 10 with or without the
 * 128-byte preamble, or a bare data set). Extensions are ignored.
 * @param buf the first bytes of the file (≥ 132 recommended).
 */
export function sniffKind(buf: Uint8Array): ImageKind | null {
  if (buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47) return 'png'
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg'
  return sniffDicomLayout(buf) ? 'dicom' : null
}

/** Reads a file's first 132 bytes and sniffs it; throws NOT_FOUND / IO naming the path. */
export async function sniffFile(path: string): Promise<ImageKind | null> {
  let fh
  try {
    fh = await open(path, 'r')
  } catch (err) {
    throw openError(path, err)
  }
  try {
    const head = Buffer.alloc(132)
    const { bytesRead } = await fh.read(head, 0, 132, 0)
    const { size } = await fh.stat()
    const b = head.subarray(0, bytesRead)
    if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50) return sniffKind(b)
    if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8) return sniffKind(b)
    return sniffDicomLayout(b, size) ? 'dicom' : null
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new AppError(code === 'EISDIR' ? 'INVALID_ARGUMENT' : 'IO', `${path}: cannot read (${code ?? String(err)})`)
  } finally {
    await fh.close()
  }
}

/** Like `sniffFile`, but an unrecognised file is an UNSUPPORTED AppError. */
export async function requireKind(path: string): Promise<ImageKind> {
  const kind = await sniffFile(path)
  if (!kind) throw new AppError('UNSUPPORTED', `${path}: not a DICOM, PNG or JPEG file (content not recognised)`)
  return kind
}
