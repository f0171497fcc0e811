import sharp, { type OutputInfo } from 'sharp'
import { AppError } from '../../../shared/errors'
import { decodeImage, renderWindowed } from '../../imaging'
import { isNiftiName, type VolumePlane } from '../../imaging/nifti'
import { loadRaster8 } from './raster-fast-path'
import { scalePixels, type ModelInputTarget } from './scale-pixels'
import { assertPreprocessSpec, type PreprocessSpec } from './spec'

/** An 8-bit rendering of one frame: grey (1 channel) or RGB (3), row-major, interleaved. */
export interface RenderedFrame {
  pixels: Uint8Array
  /** Columns, pixels. */
  width: number
  /** Rows, pixels. */
  height: number
  channels: 1 | 3
}

/**
 * An 8-bit rendered frame → model input per `spec`: bilinear resize to inputSize² (aspect ratio not kept),
 * grey replicated to 3 channels, scaling. Returns HWC float32 of length inputSize² × 3 (written into
 * `into` when given). `what` names the image in errors.
 */
export async function renderedToModelInput(
  frame: RenderedFrame,
  spec: PreprocessSpec,
  what = 'image',
  into?: ModelInputTarget
): Promise<Float32Array | Uint8Array> {
  assertPreprocessSpec(spec)
  const size = spec.inputSize
  if (frame.pixels.length !== frame.width * frame.height * frame.channels) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${what}: ${frame.pixels.length} bytes is not ${frame.width}×${frame.height}×${frame.channels}`
    )
  }
  let resized: { data: Buffer; info: OutputInfo }
  try {
    resized = await sharp(frame.pixels, { raw: { width: frame.width, height: frame.height, channels: frame.channels } })
      .resize(size, size, { kernel: 'linear', fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true })
  } catch (err) {
    throw new AppError('CORRUPT', `${what}: cannot resize to ${size}×${size}: ${(err as Error).message}`)
  }
  // libvips may hand grey back as 3 equal channels (it interprets some raw grey as sRGB), so trust its info.
  const channels = resized.info.channels
  if ((channels !== 1 && channels !== 3) || resized.data.length !== size * size * channels) {
    throw new AppError(
      'CORRUPT',
      `${what}: resize gave ${resized.data.length} bytes in ${channels} channels, expected ${size}² × 1 or 3`
    )
  }
  return scalePixels(resized.data, channels, spec.scaling, into)
}

/**
 * Reads frame `frame` (0-based, default 0) of a DICOM, PNG or JPEG file, or slice `frame` along `plane`
 * (default axial) of a NIfTI volume (scaled values, the volume's default window), and returns the model input of the
 * stored preprocessing chain: decodeImage → renderWindowed with the default VOI window (DICOM
 * (0028,1050)/(0028,1051), MONOCHROME1 inverted; 8-bit PNG/JPEG pass through; alpha flattened onto black)
 * → renderedToModelInput (8-bit PNG/JPEG take an equivalent all-libvips shortcut). HWC float32, length inputSize² × 3, in [-1, 1] or [0, 1] per `spec.scaling`.
 * With `into`, the values are written there (a batch row) and a view of them is returned.
 * Errors from the decoder pass through: NOT_FOUND, UNSUPPORTED, CORRUPT, INVALID_ARGUMENT (frame).
 */
export async function loadModelInput(
  filePath: string,
  spec: PreprocessSpec,
  frame = 0,
  plane?: VolumePlane | null,
  into?: ModelInputTarget & { out: Float32Array }
): Promise<Float32Array> {
  return (await loadInto(filePath, spec, frame, plane, into)) as Float32Array
}

/**
 * loadModelInput up to the scaling: the resized 8-bit RGB values (grey replicated), inputSize² × 3 bytes
 * written into `into`, for a backbone that scales them itself (BackboneRuntime.runPixels).
 */
export async function loadModelPixels(
  filePath: string,
  spec: PreprocessSpec,
  frame: number,
  plane: VolumePlane | null | undefined,
  into: ModelInputTarget & { out: Uint8Array }
): Promise<Uint8Array> {
  return (await loadInto(filePath, spec, frame, plane, into)) as Uint8Array
}

async function loadInto(
  filePath: string,
  spec: PreprocessSpec,
  frame = 0,
  plane?: VolumePlane | null,
  into?: ModelInputTarget
): Promise<Float32Array | Uint8Array> {
  assertPreprocessSpec(spec)
  const volume = isNiftiName(filePath)
  if (frame === 0 && !volume) {
    const fast = await loadRaster8(filePath, spec, into)
    if (fast) return fast
  }
  const img = await decodeImage(filePath, { frame, plane: volume ? (plane ?? 'axial') : undefined })
  const pixels = renderWindowed(img)
  return renderedToModelInput(
    { pixels, width: img.width, height: img.height, channels: img.samplesPerPixel },
    spec,
    volume ? `${filePath} ${plane ?? 'axial'} slice ${frame}` : `${filePath} frame ${frame}`,
    into
  )
}
