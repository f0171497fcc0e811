import { describe, expect, it } from 'vitest'
import { WHEEL_STEP_PX, WheelSteps } from '../../../src/renderer/src/viewer/wheel-steps'

describe('WheelSteps', () => {
  it('moves one slice per mouse notch, however large the notch', () => {
    const w = new WheelSteps()
    expect(w.add(100)).toBe(1)
    expect(w.add(-240)).toBe(-1)
    expect(w.add(WHEEL_STEP_PX)).toBe(1)
  })

  it('adds small trackpad deltas up until they make a slice, and keeps the rest', () => {
    const w = new WheelSteps()
    expect(w.add(20)).toBe(0)
    expect(w.add(20)).toBe(0)
    expect(w.add(20)).toBe(1)
    // 10 px left over: 40 more makes the next slice.
    expect(w.add(30)).toBe(0)
    expect(w.add(10)).toBe(1)
    expect(w.add(-45)).toBe(0)
  })
})
