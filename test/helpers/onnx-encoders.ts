import sharp from 'sharp'
import { GraphBuilder } from '../../src/main/onnx/graph-builder'
import { mulberry32 } from '../../src/main/training/loop/random'

/** What the generated encoder gives out. */
export type EncoderOutputKind = 'spatial' | 'tokens' | 'constant' | 'nan'

export interface TinyEncoderOptions {
  layout: 'NCHW' | 'NHWC'
  output: EncoderOutputKind
  /** Square input, pixels; fixed in the graph unless `symbolicSize`. */
  size: number
  /** Weight seed: two seeds are two different encoders. */
  seed?: number
  /** Input height/width as symbolic dims ('h', 'w'), so the size must be declared. */
  symbolicSize?: boolean
}

/**
 * A small CNN image encoder written with GraphBuilder, standing in for a PyTorch/timm export: conv 3→8
 * stride 2 + ReLU, conv 8→16 stride 2 + ReLU. NHWC encoders transpose in and out around the same convs
 * (so an NCHW and an NHWC encoder with one seed compute the same features). Outputs: the spatial map in the
 * input's layout; a token sequence [batch, 1 + h·w, 16] whose first token is the mean (a CLS stand-in);
 * a constant (the map times 0); NaN (0/0).
 */
export function tinyEncoder(o: TinyEncoderOptions): Uint8Array {
  const rng = mulberry32(o.seed ?? 1)
  const g = new GraphBuilder('tiny_encoder')
  const s: number | string = o.symbolicSize ? 'h' : o.size
  const t: number | string = o.symbolicSize ? 'w' : o.size
  const x = g.input('pixel_values', o.layout === 'NCHW' ? ['batch', 3, s, t] : ['batch', s, t, 3])
  let h = o.layout === 'NCHW' ? x : g.op('Transpose', [x], { perm: [0, 3, 1, 2] })
  const conv = (inC: number, outC: number): void => {
    const w = Float32Array.from({ length: outC * inC * 9 }, () => (rng() - 0.5) * (2 / Math.sqrt(inC * 9)))
    const b = Float32Array.from({ length: outC }, () => (rng() - 0.5) * 0.1)
    h = g.op('Conv', [h, g.constant('w', w, [outC, inC, 3, 3]), g.constant('b', b, [outC])], {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1]
    })
    h = g.op('Relu', [h])
  }
  conv(3, 8)
  conv(8, 16)
  const q = o.symbolicSize ? 'q' : Math.ceil(Math.ceil(o.size / 2) / 2)
  if (o.output === 'tokens') {
    const seq = g.op('Transpose', [g.op('Reshape', [h, g.ints('shape', [0, 16, -1])])], { perm: [0, 2, 1] })
    const cls = g.op('ReduceMean', [seq], { axes: [1], keepdims: 1 })
    g.output(g.op('Concat', [cls, seq], { axis: 1 }, 'last_hidden_state'), ['batch', 'tokens', 16])
    return g.toBytes()
  }
  if (o.output === 'constant') h = g.op('Mul', [h, g.constant('zero', [0], [1])])
  if (o.output === 'nan') h = g.op('Div', [g.op('Mul', [h, g.constant('zero', [0], [1])]), g.constant('z', [0], [1])])
  const out = o.layout === 'NCHW' ? h : g.op('Transpose', [h], { perm: [0, 2, 3, 1] })
  const named = g.op('Identity', [out], {}, 'features')
  g.output(named, o.layout === 'NCHW' ? ['batch', 16, q, q] : ['batch', q, q, 16])
  return g.toBytes()
}

/**
 * A 40 × 40 RGB PNG of a separable task: class 0 reddish noise, class 1 bluish noise, both with a random
 * bright blob (so position says nothing). Writes it to `file`.
 */
export async function writeColourNoisePng(file: string, cls: 0 | 1, rng: () => number): Promise<void> {
  const w = 40
  const buf = Buffer.alloc(w * w * 3)
  const bx = Math.floor(rng() * 30)
  const by = Math.floor(rng() * 30)
  for (let p = 0; p < w * w; p++) {
    const blob = Math.abs((p % w) - bx) < 5 && Math.abs(Math.floor(p / w) - by) < 5 ? 80 : 0
    const n = () => Math.floor(rng() * 90)
    buf[p * 3] = Math.min(255, (cls === 0 ? 150 : 40) + n() + blob)
    buf[p * 3 + 1] = Math.min(255, 60 + n() + blob)
    buf[p * 3 + 2] = Math.min(255, (cls === 0 ? 40 : 150) + n() + blob)
  }
  await sharp(buf, { raw: { width: w, height: w, channels: 3 } })
    .png()
    .toFile(file)
}
