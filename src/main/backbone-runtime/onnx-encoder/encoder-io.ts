import type { OnnxEncoderDeclaration } from '../../../shared/contract/onnx-encoder'
import { AppError } from '../../../shared/errors'
import type { FeatureMap } from '../backbone-runtime'

/**
 * Turns the app's preprocessed batch (n × s × s × 3 HWC, RGB, pixels in [0, 1]) into the encoder's input:
 * per-channel (v − mean) / std, channel order, then layout. One pass over the batch in JavaScript: about
 * 3 multiply-adds per value, small beside any encoder (see `npm run bench`).
 */
export function packInput(src: Float32Array, n: number, d: OnnxEncoderDeclaration): Float32Array {
  const s = d.inputSize
  const hw = s * s
  const out = new Float32Array(n * hw * 3)
  const { mean, std } = d.normalisation
  const inv = std.map((v) => 1 / v)
  // Source channel feeding destination channel c.
  const from = d.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2]
  for (let b = 0; b < n; b++) {
    const base = b * hw * 3
    for (let c = 0; c < 3; c++) {
      const sc = from[c]
      const m = mean[sc]
      const k = inv[sc]
      if (d.layout === 'NCHW') {
        const plane = base + c * hw
        for (let p = 0; p < hw; p++) out[plane + p] = (src[base + p * 3 + sc] - m) * k
      } else {
        for (let p = 0; p < hw; p++) out[base + p * 3 + c] = (src[base + p * 3 + sc] - m) * k
      }
    }
  }
  return out
}

/** The chosen output of one batch: its values and dims. */
export interface EncoderOutput {
  data: Float32Array
  dims: readonly number[]
}

/** Pools the encoder's output to n × width float32 (row-major) as the declaration says. */
export function poolOutput(o: EncoderOutput, n: number, d: OnnxEncoderDeclaration): Float32Array {
  const dims = o.dims
  const fail = (): never => {
    throw new AppError(
      'INVALID_ARGUMENT',
      `onnx encoder: output "${d.output}" came out as [${dims.join(', ')}], which pooling "${d.pooling}" cannot use for ${n} images`
    )
  }
  if (dims[0] !== n) fail()
  if (d.pooling === 'none') {
    if (dims.length !== 2) fail()
    return o.data.slice(0, n * dims[1])
  }
  if (d.pooling === 'cls' || d.pooling === 'mean-tokens') {
    if (dims.length !== 3) fail()
    const [, t, w] = dims
    const out = new Float32Array(n * w)
    for (let b = 0; b < n; b++) {
      const rows = d.pooling === 'cls' ? 1 : t
      for (let r = 0; r < rows; r++) {
        const off = (b * t + r) * w
        for (let j = 0; j < w; j++) out[b * w + j] += o.data[off + j]
      }
      if (rows > 1) for (let j = 0; j < w; j++) out[b * w + j] /= rows
    }
    return out
  }
  if (dims.length !== 4) fail()
  const [h, w, c] = d.layout === 'NCHW' ? [dims[2], dims[3], dims[1]] : [dims[1], dims[2], dims[3]]
  const hw = h * w
  const out = new Float32Array(n * c)
  for (let b = 0; b < n; b++) {
    if (d.layout === 'NCHW') {
      for (let j = 0; j < c; j++) {
        const off = (b * c + j) * hw
        let sum = 0
        for (let p = 0; p < hw; p++) sum += o.data[off + p]
        out[b * c + j] = sum / hw
      }
      continue
    }
    for (let p = 0; p < hw; p++) {
      const off = (b * hw + p) * c
      for (let j = 0; j < c; j++) out[b * c + j] += o.data[off + j]
    }
    for (let j = 0; j < c; j++) out[b * c + j] /= hw
  }
  return out
}

/** A spatial output as an NHWC feature map (transposed from NCHW when the encoder is channels-first). */
export function toNhwc(o: EncoderOutput, d: OnnxEncoderDeclaration): FeatureMap {
  if (d.layout === 'NHWC') return { data: o.data, shape: o.dims as FeatureMap['shape'] }
  const [n, c, h, w] = o.dims
  const hw = h * w
  const data = new Float32Array(o.data.length)
  for (let b = 0; b < n; b++)
    for (let j = 0; j < c; j++) {
      const src = (b * c + j) * hw
      for (let p = 0; p < hw; p++) data[(b * hw + p) * c + j] = o.data[src + p]
    }
  return { data, shape: [n, h, w, c] }
}
