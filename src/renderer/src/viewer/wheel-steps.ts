/** Wheel travel (CSS pixels) per slice when the wheel scrolls: one mouse notch, or a trackpad's worth of small deltas. */
export const WHEEL_STEP_PX = 50

/** Turns wheel deltas (CSS pixels) into whole slice steps, carrying the remainder of small trackpad deltas. */
export class WheelSteps {
  private acc = 0

  /** Adds one wheel event's `dy`; returns the slices to move now (0 while deltas add up). */
  add(dy: number): number {
    this.acc += Math.abs(dy) >= WHEEL_STEP_PX ? Math.sign(dy) * WHEEL_STEP_PX : dy
    // `| 0` also turns -0 into 0.
    const steps = Math.trunc(this.acc / WHEEL_STEP_PX) | 0
    this.acc -= steps * WHEEL_STEP_PX
    return steps
  }
}
