import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import type { NamedWeights } from './weights'

/** Keras' Adam defaults. */
const BETA1 = 0.9
const BETA2 = 0.999
const EPSILON = 1e-7

/**
 * Variables below this many elements are updated together as one flat vector: each tfjs op costs
 * ~45 µs of fixed overhead here, and the head's eight bias/BN/output variables would otherwise take
 * 96 of the step's ~370 kernels. Large variables are updated in place (concatenating them would
 * copy megabytes per step).
 */
const POOL_BELOW = 16_384

/** The optimizer trainStage drives. */
export interface StageOptimizer {
  /** Learning rate of the next step; callbacks change it between epochs. */
  lr: number
  /**
   * One step for `variables` (the same list, in the same order, on every call) with `grads` keyed by
   * variable name. A variable without a gradient is stepped with a zero gradient. Does not dispose
   * the grads.
   */
  apply(variables: readonly tf.Variable[], grads: tf.NamedTensorMap): void
  /** State as `[step count, m₀…mₙ₋₁, v₀…vₙ₋₁]` per variable, matched by position on import. */
  exportState(): NamedWeights
  /** Loads exportState() output; only into a fresh optimizer, before its first step. */
  importState(state: NamedWeights): void
  dispose(): void
}

/** Moments of one variable, or of the pooled small variables as one flat vector. */
interface Slot {
  /** Positions in the variable list (one for an own slot, several for the pool). */
  members: number[]
  m: tf.Variable
  v: tf.Variable
}

function variableFrom(values: Float32Array, shape: number[]): tf.Variable {
  const init = tf.tensor(values, shape, 'float32')
  const out = tf.variable(init, false)
  init.dispose()
  return out
}

/**
 * Adam as Keras 3 computes it: m ← m + (g − m)(1 − β1), v ← v + (g² − v)(1 − β2),
 * w ← w − α·m/(√v + ε) with α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ). Why not tf.train.adam: it keeps β1ᵗ and β2ᵗ
 * as running float32 products that its setWeights recomputes with pow(), so a resumed run drifts by
 * float32 ulps; here the bias correction is a function of the step count alone, which makes resume
 * exact. It also runs far fewer kernels (small variables pooled, see POOL_BELOW) and its learning
 * rate is public (AdamOptimizer's is protected).
 */
class Adam implements StageOptimizer {
  lr: number
  private step = 0
  private slots: Slot[] | null = null
  private shapes: number[][] = []
  /** Per-variable moments from importState (`[m…, v…]`), consumed when the slots are built. */
  private pending: NamedWeights | null = null

  constructor(lr: number) {
    this.lr = lr
  }

  apply(variables: readonly tf.Variable[], grads: tf.NamedTensorMap): void {
    const slots = (this.slots ??= this.buildSlots(variables))
    const t = this.step + 1
    const alpha = (this.lr * Math.sqrt(1 - Math.pow(BETA2, t))) / (1 - Math.pow(BETA1, t))
    tf.tidy(() => {
      const oneMinusB1 = tf.scalar(1 - BETA1)
      const oneMinusB2 = tf.scalar(1 - BETA2)
      const a = tf.scalar(alpha)
      const eps = tf.scalar(EPSILON)
      const gradOf = (i: number): tf.Tensor => grads[variables[i].name] ?? tf.zerosLike(variables[i])
      for (const { members, m, v } of slots) {
        const pooled = members.length > 1
        const flat = (ts: tf.Tensor[]): tf.Tensor => tf.concat(ts.map((x) => (x.rank === 1 ? x : tf.reshape(x, [-1]))))
        const g = pooled ? flat(members.map(gradOf)) : gradOf(members[0])
        const w = pooled ? flat(members.map((i) => variables[i])) : variables[members[0]]
        m.assign(tf.add(m, tf.mul(tf.sub(g, m), oneMinusB1)))
        v.assign(tf.add(v, tf.mul(tf.sub(tf.square(g), v), oneMinusB2)))
        const next = tf.sub(w, tf.div(tf.mul(m, a), tf.add(tf.sqrt(v), eps)))
        if (!pooled) {
          variables[members[0]].assign(next)
          continue
        }
        const parts = tf.split(
          next,
          members.map((i) => variables[i].size)
        )
        members.forEach((i, k) => variables[i].assign(tf.reshape(parts[k], variables[i].shape)))
      }
    })
    this.step = t
  }

  private buildSlots(variables: readonly tf.Variable[]): Slot[] {
    this.shapes = variables.map((x) => [...x.shape])
    const pending = this.pending
    const n = variables.length
    if (pending && pending.length !== 2 * n) {
      throw new AppError('CORRUPT', `Adam state holds ${pending.length / 2} variables, the model trains ${n}`)
    }
    pending?.forEach((w, j) => {
      if (w.values.length !== variables[j % n].size) {
        throw new AppError(
          'CORRUPT',
          `Adam state entry "${w.name}" has ${w.values.length} values, variable ${j % n} has ${variables[j % n].size}`
        )
      }
    })
    const init = (i: number, which: 'm' | 'v'): Float32Array =>
      pending?.[which === 'm' ? i : n + i].values ?? new Float32Array(variables[i].size)
    const own: number[] = []
    const pool: number[] = []
    variables.forEach((x, i) => (x.size < POOL_BELOW ? pool : own).push(i))
    const slotOf = (members: number[]): Slot => {
      const size = members.reduce((n, i) => n + variables[i].size, 0)
      const shape = members.length === 1 ? [...variables[members[0]].shape] : [size]
      const gather = (which: 'm' | 'v'): Float32Array => {
        const out = new Float32Array(size)
        let at = 0
        for (const i of members) {
          out.set(init(i, which), at)
          at += variables[i].size
        }
        return out
      }
      return { members, m: variableFrom(gather('m'), shape), v: variableFrom(gather('v'), shape) }
    }
    this.pending = null
    const slots = own.map((i) => slotOf([i]))
    if (pool.length > 0) slots.push(slotOf(pool))
    return slots
  }

  exportState(): NamedWeights {
    const head = { name: 'step', shape: [], values: Float32Array.of(this.step) }
    if (!this.slots) return [head, ...(this.pending ?? [])]
    const n = this.shapes.length
    const m: NamedWeights = new Array(n)
    const v: NamedWeights = new Array(n)
    for (const slot of this.slots) {
      const mv = slot.m.dataSync() as Float32Array
      const vv = slot.v.dataSync() as Float32Array
      let at = 0
      for (const i of slot.members) {
        const size = this.shapes[i].reduce((a, b) => a * b, 1)
        m[i] = { name: `${i}/m`, shape: this.shapes[i], values: mv.slice(at, at + size) }
        v[i] = { name: `${i}/v`, shape: this.shapes[i], values: vv.slice(at, at + size) }
        at += size
      }
    }
    return [head, ...m, ...v]
  }

  importState(state: NamedWeights): void {
    if (state.length === 0) return
    if (state[0].name !== 'step' || state.length % 2 !== 1) {
      throw new AppError(
        'CORRUPT',
        `Adam state: expected [step, m…, v…], got ${state.length} entries starting "${state[0].name}"`
      )
    }
    if (this.slots) throw new AppError('INVALID_ARGUMENT', 'Adam state can only be loaded before the first step')
    this.step = state[0].values[0]
    this.pending = state.slice(1)
  }

  dispose(): void {
    for (const s of this.slots ?? []) tf.dispose([s.m, s.v])
    this.slots = null
  }
}

/** A fresh Adam optimizer (β1 0.9, β2 0.999, ε 1e-7, as Keras) with learning rate `lr`. */
export function createOptimizer(lr: number): StageOptimizer {
  return new Adam(lr)
}
