import { AppError } from '../../../shared/errors'
import { adamKernel, wasmMemory, type AdamKernel } from './adam-simd'
import type { NamedWeights } from './weights'

/** Keras' Adam defaults (the same constants as optimizer.ts). */
const BETA1 = 0.9
const BETA2 = 0.999
const EPSILON = 1e-7

/** Byte offsets of one trained array's weight, gradient and moments in the shared memory. */
interface Region {
  size: number
  w: number
  g: number
  m: number
  v: number
  /** Bytes each region spans (size rounded up to whole 16-byte SIMD lanes; the padding stays 0). */
  bytes: number
}

/**
 * Adam on Float32Arrays for weights held in JavaScript (the ONNX Runtime trainers). The maths and the exported
 * state are those of optimizer.ts (Keras 3's update, bias correction from the step count alone, state
 * `[step, m₀…mₙ₋₁, v₀…vₙ₋₁]` by position), so a resume point from either trainer loads into the other.
 * The weights, gradients and moments all live in one WebAssembly memory, so ONNX Runtime reads the weights and
 * writes the gradients there in place, and the update runs as a SIMD loop (adam-simd.ts; scalar where SIMD
 * is missing). The views in `weights` and `grads` stay valid for the optimizer's lifetime.
 */
export class ArrayAdam {
  lr = 0
  /** Views of the trained arrays, in the constructor's order: copy initial values in, read them out. */
  readonly weights: Float32Array[]
  /** Views the gradients are written into before each apply(). */
  readonly grads: Float32Array[]
  private readonly m: Float32Array[]
  private readonly v: Float32Array[]
  private readonly regions: Region[]
  private readonly kernel: AdamKernel | null
  private step = 0

  constructor(private readonly shapes: readonly number[][]) {
    let at = 0
    this.regions = shapes.map((shape) => {
      const size = shape.reduce((a, b) => a * b, 1)
      const bytes = Math.ceil(size / 4) * 16
      const r = { size, w: at, g: at + bytes, m: at + 2 * bytes, v: at + 3 * bytes, bytes }
      at += 4 * bytes
      return r
    })
    const memory = wasmMemory(at)
    const view = (offset: number, size: number): Float32Array => new Float32Array(memory.buffer, offset, size)
    this.weights = this.regions.map((r) => view(r.w, r.size))
    this.grads = this.regions.map((r) => view(r.g, r.size))
    this.m = this.regions.map((r) => view(r.m, r.size))
    this.v = this.regions.map((r) => view(r.v, r.size))
    this.kernel = adamKernel(memory)
  }

  /** Starts afresh at learning rate `lr`: step 0, zero moments (the weights are left as they are). */
  reset(lr: number): void {
    this.lr = lr
    this.step = 0
    for (const a of [...this.m, ...this.v]) a.fill(0)
  }

  /** One step: updates `weights` from `grads`. */
  apply(): void {
    const t = this.step + 1
    const alpha = (this.lr * Math.sqrt(1 - Math.pow(BETA2, t))) / (1 - Math.pow(BETA1, t))
    const b1 = 1 - BETA1
    const b2 = 1 - BETA2
    this.regions.forEach((r, i) => {
      if (this.kernel) return this.kernel(r.w, r.g, r.m, r.v, r.bytes, alpha, b1, b2, EPSILON)
      const w = this.weights[i]
      const g = this.grads[i]
      const m = this.m[i]
      const v = this.v[i]
      for (let j = 0; j < r.size; j++) {
        const gj = g[j]
        const mj = m[j] + (gj - m[j]) * b1
        const vj = v[j] + (gj * gj - v[j]) * b2
        m[j] = mj
        v[j] = vj
        w[j] -= (alpha * mj) / (Math.sqrt(vj) + EPSILON)
      }
    })
    this.step = t
  }

  exportState(): NamedWeights {
    const one = (which: 'm' | 'v') =>
      this[which].map((values, i) => ({ name: `${i}/${which}`, shape: [...this.shapes[i]], values: values.slice() }))
    return [{ name: 'step', shape: [], values: Float32Array.of(this.step) }, ...one('m'), ...one('v')]
  }

  /** Loads exportState() output (of this class or of optimizer.ts), checking counts and sizes. */
  importState(state: NamedWeights): void {
    if (state.length === 0) return
    const n = this.regions.length
    if (state[0].name !== 'step' || state.length !== 2 * n + 1) {
      throw new AppError(
        'CORRUPT',
        `Adam state: expected [step, ${n} m, ${n} v], got ${state.length} entries starting "${state[0].name}"`
      )
    }
    state.slice(1).forEach((w, j) => {
      const i = j % n
      if (w.values.length !== this.regions[i].size) {
        throw new AppError(
          'CORRUPT',
          `Adam state entry "${w.name}" has ${w.values.length} values, weight ${i} has ${this.regions[i].size}`
        )
      }
      ;(j < n ? this.m : this.v)[i].set(w.values)
    })
    this.step = state[0].values[0]
  }
}
