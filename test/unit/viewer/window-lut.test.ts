import { describe, expect, it } from 'vitest'
import { renderWindowed, type DecodedImage } from '../../../src/main/imaging'
import { applyWindow, describeValues, WindowRenderer } from '../../../src/shared/display/window-lut'

/** Grey channel of RGBA output, asserting the pixels are grey and opaque. */
function greyOf(rgba: Uint8ClampedArray): number[] {
  const out: number[] = []
  let notGrey = 0
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 1] !== rgba[i] || rgba[i + 2] !== rgba[i] || rgba[i + 3] !== 255) notGrey++
    out.push(rgba[i])
  }
  expect(notGrey, 'pixels that are not opaque grey').toBe(0)
  return out
}

/** A decoded image for main's reference renderer. */
function decoded(
  modality: Float32Array,
  width: number,
  height: number,
  fn: DecodedImage['voiLutFunction']
): DecodedImage {
  return {
    kind: 'dicom',
    width,
    height,
    frames: 1,
    frame: 0,
    samplesPerPixel: 1,
    photometric: 'MONOCHROME2',
    modality,
    stored: new Int16Array(modality.length),
    windows: [],
    voiLutFunction: fn,
    invert: false,
    units: 'HU'
  }
}

/** Deterministic CT-like values: −1024..3071 HU with every value of the brain window present. */
function ctValues(n: number): Float32Array {
  const out = new Float32Array(n)
  let s = 12345
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 48271) >>> 0) % 0x7fffffff
    out[i] = i < 200 ? i - 60 : (s % 4096) - 1024
  }
  return out
}

describe('applyWindow', () => {
  it('maps a known brain window (C 40 / W 80, DICOM LINEAR) to the expected grey levels', () => {
    const hu = new Float32Array([-1000, 0, 0.5, 1, 39, 40, 78, 79, 79.5, 80, 1000])
    const grey = greyOf(applyWindow(hu, hu.length, 1, 40, 80, false))
    // PS3.3 C.11.2.1.2: x ≤ c − 0.5 − (w−1)/2 = 0 → 0; x > c − 0.5 + (w−1)/2 = 79 → 255;
    // otherwise ((x − 39.5)/79 + 0.5) × 255, rounded.
    expect(grey).toEqual([0, 0, 2, 3, 126, 129, 252, 255, 255, 255, 255])
  })

  it('inverts to 255 − level', () => {
    const hu = new Float32Array([-1000, 20, 40, 60, 1000])
    const plain = greyOf(applyWindow(hu, 5, 1, 40, 80, false))
    const inverted = greyOf(applyWindow(hu, 5, 1, 40, 80, true))
    expect(inverted).toEqual(plain.map((v) => 255 - v))
    expect(inverted[0]).toBe(255)
  })

  it.each(['LINEAR', 'LINEAR_EXACT', 'SIGMOID'] as const)(
    'matches main’s renderWindowed (what --png writes) exactly: %s',
    (fn) => {
      const w = 64
      const h = 48
      const values = ctValues(w * h)
      for (const [c, width] of [
        [40, 80],
        [75, 215],
        [600, 2800],
        [-500.5, 1],
        [10, 3.5]
      ]) {
        const ours = greyOf(applyWindow(values, w, h, c, width, false, fn))
        const theirs = Array.from(renderWindowed(decoded(values, w, h, fn), { center: c, width }))
        expect(ours, `C ${c} W ${width}`).toEqual(theirs)
      }
    }
  )

  it('computes non-integer modality values per pixel with the same mapping', () => {
    const values = new Float32Array(500).map((_, i) => (i - 250) * 0.37)
    const ours = greyOf(applyWindow(values, 25, 20, 3.2, 41.7, false, 'LINEAR'))
    const theirs = Array.from(renderWindowed(decoded(values, 25, 20, 'LINEAR'), { center: 3.2, width: 41.7 }))
    expect(ours).toEqual(theirs)
    expect(describeValues(values).integer).toBe(false)
  })

  it('passes RGB through unless a window is applied, and inverts each channel', () => {
    const rgb = new Float32Array([0, 128, 255, 10, 20, 30])
    const r = new WindowRenderer({ modality: rgb, width: 2, height: 1, samplesPerPixel: 3, ...describeValues(rgb) })
    expect(Array.from(r.render(null, false))).toEqual([0, 128, 255, 255, 10, 20, 30, 255])
    expect(Array.from(r.render(null, true))).toEqual([255, 127, 0, 255, 245, 235, 225, 255])
    // A narrow window stretches each channel: C 20.5 / W 21 → 10 is black, 20 mid-grey, 30 white.
    const stretched = Array.from(r.render({ center: 20.5, width: 21, fn: 'LINEAR' }, false))
    expect(stretched.slice(4)).toEqual([0, 128, 255, 255])
  })

  it('re-renders into the same buffer with a new window', () => {
    const values = ctValues(256)
    const r = new WindowRenderer({
      modality: values,
      width: 16,
      height: 16,
      samplesPerPixel: 1,
      ...describeValues(values)
    })
    const a = r.render({ center: 40, width: 80, fn: 'LINEAR' }, false)
    const first = Array.from(a)
    const b = r.render({ center: 600, width: 2800, fn: 'LINEAR' }, false)
    expect(b).toBe(a)
    expect(Array.from(b)).not.toEqual(first)
  })

  it('refuses pixel arrays that do not match the size', () => {
    expect(
      () =>
        new WindowRenderer({
          modality: new Float32Array(10),
          width: 4,
          height: 4,
          samplesPerPixel: 1,
          min: 0,
          max: 1,
          integer: true
        })
    ).toThrow(/4×4×1 needs 16 values, got 10/)
  })
})
