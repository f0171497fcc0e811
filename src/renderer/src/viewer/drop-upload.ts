import { MAX_DROP_BYTES, MAX_DROP_CHUNK, type DropProgress } from '../../../shared/contract/imaging'

/** The one imaging call an upload needs (the real `api.imaging.openBytes`, or a stand-in). */
export type OpenBytes = (req: {
  uploadId?: string
  name: string
  size: number
  offset: number
  data: string
}) => Promise<DropProgress>

/** Base64 of a Blob slice, by the browser's own encoder (no per-byte JavaScript). */
function blobToBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => {
      const url = String(reader.result)
      resolve(url.slice(url.indexOf(',') + 1))
    }
    reader.onerror = () => reject(reader.error ?? new Error('cannot read the dropped file'))
    reader.readAsDataURL(blob)
  })
}

/**
 * Sends a dropped file's bytes to main in ≤ 512 KiB chunks (in the browser a dropped file has no path) and
 * returns the absolute path main stored it at, which is then granted and can be opened.
 * @throws Error naming the file when it is empty or larger than 512 MiB, or when main refuses a chunk.
 */
export async function uploadDroppedFile(
  file: File,
  openBytes: OpenBytes,
  onProgress?: (sent: number, total: number) => void
): Promise<string> {
  if (file.size === 0) throw new Error(`${file.name}: the dropped file is empty`)
  if (file.size > MAX_DROP_BYTES) {
    throw new Error(`${file.name}: ${(file.size / 2 ** 20).toFixed(0)} MiB is more than the 512 MiB a drop may carry`)
  }
  // Main accepts plain names only; a browser may report odd characters in a dropped file's name.
  // eslint-disable-next-line no-control-regex
  const name = file.name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 255) || 'dropped'
  let uploadId: string | undefined
  for (let offset = 0; offset < file.size; offset += MAX_DROP_CHUNK) {
    const data = await blobToBase64(file.slice(offset, Math.min(file.size, offset + MAX_DROP_CHUNK)))
    const res = await openBytes({ uploadId, name, size: file.size, offset, data })
    uploadId = res.uploadId
    onProgress?.(res.received, file.size)
    if (res.opened) return res.opened.roots[0]
  }
  throw new Error(`${file.name}: the upload ended before main received every byte`)
}
