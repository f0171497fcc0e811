/** One test-time augmentation of an HWC image: optional mirrors, then a whole-pixel shift. */
export interface TtaAugmentation {
  name: string
  flipHorizontal: boolean
  flipVertical: boolean
  /** Shift in pixels along x (columns, positive = content moves right) and y (rows, positive = down). */
  dx: number
  dy: number
}

export const IDENTITY: TtaAugmentation = { name: 'identity', flipHorizontal: false, flipVertical: false, dx: 0, dy: 0 }

/**
 * The standard set: identity, left–right mirror, and shifts of `shiftFraction` of the image size (default 5 %)
 * in the four directions. Vertical mirrors are off by default because many radiographs are not
 * up–down symmetric.
 */
export function standardTta(size: number, shiftFraction = 0.05): TtaAugmentation[] {
  const s = Math.max(1, Math.round(size * shiftFraction))
  const shift = (name: string, dx: number, dy: number): TtaAugmentation => ({ ...IDENTITY, name, dx, dy })
  return [
    IDENTITY,
    { ...IDENTITY, name: 'flip-lr', flipHorizontal: true },
    shift('shift-right', s, 0),
    shift('shift-left', -s, 0),
    shift('shift-down', 0, s),
    shift('shift-up', 0, -s)
  ]
}

/**
 * Applies one augmentation to an HWC float image (`height × width × channels`), writing a new array. Pixels
 * shifted in from outside repeat the nearest edge pixel (Keras' fill_mode 'nearest', as in training).
 */
export function applyTta(
  image: Float32Array,
  height: number,
  width: number,
  channels: number,
  aug: TtaAugmentation
): Float32Array {
  if (isIdentity(aug)) return image.slice()
  const out = new Float32Array(image.length)
  const clamp = (v: number, max: number) => (v < 0 ? 0 : v > max ? max : v)
  for (let y = 0; y < height; y++) {
    let sy = clamp(y - aug.dy, height - 1)
    if (aug.flipVertical) sy = height - 1 - sy
    for (let x = 0; x < width; x++) {
      let sx = clamp(x - aug.dx, width - 1)
      if (aug.flipHorizontal) sx = width - 1 - sx
      const src = (sy * width + sx) * channels
      const dst = (y * width + x) * channels
      for (let c = 0; c < channels; c++) out[dst + c] = image[src + c]
    }
  }
  return out
}

/** TTA result of a batch of images. */
export interface TtaPrediction {
  /** `images × numClasses` mean probabilities over the augmentations (row-major). */
  probs: Float32Array
  /**
   * Per image: standard deviation, across augmentations, of the probability of the class the averaged
   * prediction chooses. 0 = every augmentation agrees; higher = less certain.
   */
  spread: Float32Array
}

/** Whether an augmentation leaves the image unchanged. */
export function isIdentity(aug: TtaAugmentation): boolean {
  return !aug.flipHorizontal && !aug.flipVertical && aug.dx === 0 && aug.dy === 0
}

/**
 * Test-time augmentation over any backend: `predict` takes a batch of HWC images stacked (`count ×
 * height × width × channels`) and returns `count × numClasses` probabilities. Each augmentation is one batch
 * call; probabilities are averaged. With only the identity augmentation this is exactly plain inference.
 * `plain`, when given, is the caller's own unaugmented prediction of the batch: identity augmentations reuse
 * it instead of predicting again (batch classification already ran that pass for Grad-CAM).
 */
export async function predictWithTta(
  images: Float32Array,
  count: number,
  shape: { height: number; width: number; channels: number },
  numClasses: number,
  augmentations: readonly TtaAugmentation[],
  predict: (batch: Float32Array, count: number) => Promise<ArrayLike<number>>,
  plain?: ArrayLike<number>
): Promise<TtaPrediction> {
  const { height, width, channels } = shape
  const per = height * width * channels
  const all: ArrayLike<number>[] = []
  for (const aug of augmentations) {
    if (plain && isIdentity(aug)) {
      all.push(plain)
      continue
    }
    const batch = new Float32Array(count * per)
    for (let i = 0; i < count; i++) {
      batch.set(applyTta(images.subarray(i * per, (i + 1) * per), height, width, channels, aug), i * per)
    }
    all.push(await predict(batch, count))
  }
  return combineTta(all, count, numClasses)
}

/** Averages per-augmentation probabilities (each `count × numClasses`) and measures their spread. */
export function combineTta(all: readonly ArrayLike<number>[], count: number, numClasses: number): TtaPrediction {
  const K = numClasses
  const A = all.length
  const probs = new Float32Array(count * K)
  const spread = new Float32Array(count)
  for (let i = 0; i < count; i++) {
    let best = 0
    for (let k = 0; k < K; k++) {
      let s = 0
      for (const p of all) s += p[i * K + k]
      probs[i * K + k] = A === 1 ? all[0][i * K + k] : s / A
      if (probs[i * K + k] > probs[i * K + best]) best = k
    }
    let v = 0
    for (const p of all) v += (p[i * K + best] - probs[i * K + best]) ** 2
    spread[i] = Math.sqrt(v / A)
  }
  return { probs, spread }
}
