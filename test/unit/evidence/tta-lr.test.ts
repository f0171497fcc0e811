import { describe, expect, it } from 'vitest'
import { exponentialLrs, runLrSweep } from '../../../src/main/evidence/lr-sweep'
import { applyTta, combineTta, IDENTITY, predictWithTta, standardTta } from '../../../src/main/evidence/tta'

// A deterministic "model" over 4×4×1 images: softmax of (left-half mean − right-half mean, top-row mean).
async function model(batch: Float32Array, count: number): Promise<Float32Array> {
  const out = new Float32Array(count * 2)
  for (let i = 0; i < count; i++) {
    const img = batch.subarray(i * 16, (i + 1) * 16)
    let a = 0
    let b = 0
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        a += x < 2 ? img[y * 4 + x] : -img[y * 4 + x]
        if (y === 0) b += img[x]
      }
    }
    const e0 = Math.exp(a / 8)
    const e1 = Math.exp(b / 4)
    out[i * 2] = e0 / (e0 + e1)
    out[i * 2 + 1] = e1 / (e0 + e1)
  }
  return out
}
const images = Float32Array.from({ length: 32 }, (_, i) => (i * 7) % 5)

describe('test-time augmentation', () => {
  it('with the identity augmentation alone equals plain inference, with zero spread', async () => {
    const plain = await model(images, 2)
    const tta = await predictWithTta(images, 2, { height: 4, width: 4, channels: 1 }, 2, [IDENTITY], model)
    expect(Array.from(tta.probs)).toEqual(Array.from(plain))
    expect(Array.from(tta.spread)).toEqual([0, 0])
  })

  it('mirrors and shifts pixels (edges repeat the nearest pixel)', () => {
    const img = Float32Array.from([1, 2, 3, 4, 5, 6]) // 2 rows × 3 columns × 1 channel
    expect(Array.from(applyTta(img, 2, 3, 1, { ...IDENTITY, flipHorizontal: true }))).toEqual([3, 2, 1, 6, 5, 4])
    expect(Array.from(applyTta(img, 2, 3, 1, { ...IDENTITY, flipVertical: true }))).toEqual([4, 5, 6, 1, 2, 3])
    expect(Array.from(applyTta(img, 2, 3, 1, { ...IDENTITY, dx: 1 }))).toEqual([1, 1, 2, 4, 4, 5])
    expect(Array.from(applyTta(img, 2, 3, 1, { ...IDENTITY, dy: -1 }))).toEqual([4, 5, 6, 4, 5, 6])
  })

  it('averages the augmentations and reports their spread', async () => {
    const augs = standardTta(4, 0.25)
    expect(augs.map((a) => a.name)).toEqual([
      'identity',
      'flip-lr',
      'shift-right',
      'shift-left',
      'shift-down',
      'shift-up'
    ])
    const tta = await predictWithTta(images, 2, { height: 4, width: 4, channels: 1 }, 2, augs, model)
    const per = await Promise.all(
      augs.map((a) =>
        model(
          Float32Array.from([
            ...applyTta(images.subarray(0, 16), 4, 4, 1, a),
            ...applyTta(images.subarray(16), 4, 4, 1, a)
          ]),
          2
        )
      )
    )
    expect(Array.from(tta.probs)).toEqual(Array.from(combineTta(per, 2, 2).probs))
    const mean0 = per.reduce((s, p) => s + p[0], 0) / per.length
    expect(tta.probs[0]).toBeCloseTo(mean0, 6)
    expect(tta.spread[0]).toBeGreaterThan(0)
  })
})

describe('learning-rate sweep', () => {
  it('spaces rates exponentially', () => {
    const lrs = exponentialLrs(1e-5, 1e-1, 5)
    lrs.forEach((lr, i) => expect(lr).toBeCloseTo(10 ** (-5 + i), 12))
  })

  it('suggests a rate on the steep descent, below the minimum, and stops when the loss diverges', async () => {
    // Loss falls fastest near lr = 1e-3, bottoms out near 1e-2 and explodes beyond 1e-1.
    const loss = (lr: number) => {
      const x = Math.log10(lr)
      return 2 - 1.5 / (1 + Math.exp(-3 * (x + 3))) + (x > -1 ? 10 ** (2 * (x + 1)) : 0)
    }
    const sweep = await runLrSweep(async (lr) => loss(lr), exponentialLrs(1e-6, 10, 100))
    expect(sweep.diverged).toBe(true)
    expect(sweep.lrs.length).toBeLessThan(100)
    expect(sweep.suggested).not.toBeNull()
    // 'valley': the middle of the long fall (from about 1e-4.5 to the minimum near 1e-2), not the plateau
    // before it nor the minimum itself.
    expect(Math.log10(sweep.suggested!)).toBeGreaterThan(-4.2)
    expect(Math.log10(sweep.suggested!)).toBeLessThan(-2.5)
  })

  it('has no suggestion when the loss never falls', async () => {
    const sweep = await runLrSweep(async (lr) => 1 + lr, exponentialLrs(1e-6, 1e-3, 20))
    expect(sweep.suggested).toBeNull()
    expect(sweep.diverged).toBe(false)
  })
})
