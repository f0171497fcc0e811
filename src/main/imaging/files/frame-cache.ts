import fs from 'node:fs/promises'
import type { FrameData } from '../../../shared/contract/imaging'
import { AppError } from '../../../shared/errors'
import { openError } from '../../fs/open-error'
import { decodeImage, type DecodedImage } from '..'
import { isNiftiName, type VolumePlane } from '../nifti'
import { VolumeFrames } from './volume-frames'

/** Decoded frames kept in memory, in bytes of modality values: 256 MiB ≈ 256 frames of 512×512. */
export const FRAME_CACHE_BYTES = 256 * 1024 * 1024

/**
 * A PNG/JPEG whose three channels are equal everywhere as one grey channel, so window/level and the grey
 * pixel readout apply. The decoder may hand grey files over as RGB (sharp's raw output is sRGB by default).
 * DICOM colour stays colour: its photometric interpretation says what it is.
 */
export function collapseGreyRgb(img: DecodedImage): DecodedImage {
  if (img.kind === 'dicom' || img.samplesPerPixel !== 3) return img
  const src = img.modality
  const n = img.width * img.height
  for (let i = 0; i < n; i++) {
    const r = src[i * 3]
    if (src[i * 3 + 1] !== r || src[i * 3 + 2] !== r) return img
  }
  const grey = new Float32Array(n)
  for (let i = 0; i < n; i++) grey[i] = src[i * 3]
  return { ...img, samplesPerPixel: 1, photometric: 'MONOCHROME2', modality: grey }
}

/**
 * Turns a decoded frame into what the renderer needs: the modality values on their own buffer (IPC copies
 * a view's whole buffer) plus min, max and whether all values are integers, computed once per frame so that
 * window/level drags only rebuild a lookup table.
 */
export function toFrameData(path: string, img: DecodedImage): FrameData {
  const src = img.modality
  const modality = src.byteOffset === 0 && src.byteLength === src.buffer.byteLength ? src : new Float32Array(src)
  let min = Infinity
  let max = -Infinity
  let integer = true
  for (let i = 0; i < modality.length; i++) {
    const v = modality[i]
    if (v < min) min = v
    if (v > max) max = v
    if (integer && v !== Math.round(v)) integer = false
  }
  if (modality.length === 0) min = max = 0
  const out: FrameData = {
    path,
    frame: img.frame,
    frames: img.frames,
    width: img.width,
    height: img.height,
    samplesPerPixel: img.samplesPerPixel,
    photometric: img.photometric,
    modality,
    min,
    max,
    integer,
    windows: img.windows.map((w) => ({ ...w })),
    voiLutFunction: img.voiLutFunction,
    invert: img.invert,
    units: img.units
  }
  if (img.pixelSpacing) out.pixelSpacing = img.pixelSpacing
  if (img.voiLuts?.length) out.voiLuts = img.voiLuts
  if (img.pixelAspectRatio) out.pixelAspectRatio = img.pixelAspectRatio
  return out
}

/**
 * A least-recently-used cache of decoded frames keyed by path, frame, size and mtime, so cine loops and
 * scrolling back do not decode again, and a file changed on disk is decoded afresh. Concurrent requests for
 * the same frame share one decode.
 */
export class FrameCache {
  private readonly entries = new Map<string, FrameData>()
  private readonly inflight = new Map<string, Promise<FrameData>>()
  private readonly volumes = new VolumeFrames()
  private bytes = 0

  constructor(private readonly budget = FRAME_CACHE_BYTES) {}

  /**
   * Frame `frame` (0-based) of the file at the already-checked, resolved `real` path; for a NIfTI volume the
   * slice `frame` of `plane` (default axial).
   * @throws AppError INVALID_ARGUMENT when `plane` is given for a file that is not a volume.
   */
  async get(real: string, frame: number, plane?: VolumePlane): Promise<FrameData> {
    const volume = isNiftiName(real)
    if (plane && !volume)
      throw new AppError('INVALID_ARGUMENT', `${real}: not a NIfTI volume, so it has no ${plane} plane`)
    let stat
    try {
      stat = await fs.stat(real)
    } catch (err) {
      throw openError(real, err)
    }
    if (!stat.isFile()) throw new AppError('INVALID_ARGUMENT', `${real}: is a folder, not an image file`)
    const version = `${stat.size}\u0000${stat.mtimeMs}`
    const along = volume ? (plane ?? 'axial') : undefined
    const key = `${real}\u0000${frame}\u0000${version}\u0000${along ?? ''}`
    const hit = this.entries.get(key)
    if (hit) {
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit
    }
    const pending = this.inflight.get(key)
    if (pending) return pending
    const decoded = along
      ? this.volumes.get(real, version, along, frame).then(({ image, geometry }) => ({
          ...toFrameData(real, image),
          plane: along,
          orientationLabels: geometry.labels
        }))
      : decodeImage(real, { frame }).then((img) => toFrameData(real, collapseGreyRgb(img)))
    const work = decoded
      .then((data) => {
        this.store(key, data)
        return data
      })
      .finally(() => this.inflight.delete(key))
    this.inflight.set(key, work)
    return work
  }

  /** Number of frames held. */
  get size(): number {
    return this.entries.size
  }

  private store(key: string, data: FrameData): void {
    const cost = data.modality.byteLength
    if (cost > this.budget) return
    this.entries.set(key, data)
    this.bytes += cost
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.budget) break
      this.entries.delete(k)
      this.bytes -= v.modality.byteLength
    }
  }
}
