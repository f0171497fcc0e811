import type { LrFindResult } from '../../shared/contract'

/**
 * A learning-rate sweep: one training step per rate, rates growing exponentially. The fields are those of the
 * contract's LrFindResult (documented there), which adds what the sweep was measured on.
 */
export type LrSweep = Pick<LrFindResult, 'lrs' | 'losses' | 'smoothed' | 'suggested' | 'minimumOver10' | 'diverged'>

/** `steps` rates from `min` to `max`, equally spaced in log(lr). */
export function exponentialLrs(min = 1e-6, max = 1, steps = 100): number[] {
  const ratio = Math.log(max / min) / Math.max(1, steps - 1)
  return Array.from({ length: steps }, (_, i) => min * Math.exp(ratio * i))
}

/**
 * Runs the sweep: `step(lr)` trains one batch at that rate (continuing from the previous step) and returns
 * its loss. Stops once the smoothed loss exceeds 4 × its minimum or is not finite (the loss diverged).
 * Backend-agnostic: the caller decides what a step is.
 */
export async function runLrSweep(
  step: (lr: number, index: number) => Promise<number>,
  lrs: readonly number[] = exponentialLrs()
): Promise<LrSweep> {
  const done: number[] = []
  const losses: number[] = []
  let diverged = false
  let avg = 0
  let best = Infinity
  for (let i = 0; i < lrs.length; i++) {
    const loss = await step(lrs[i], i)
    done.push(lrs[i])
    losses.push(loss)
    avg = 0.98 * avg + 0.02 * loss
    const smooth = avg / (1 - 0.98 ** (i + 1))
    if (!Number.isFinite(smooth) || (i > 0 && smooth > 4 * best)) {
      diverged = true
      break
    }
    best = Math.min(best, smooth)
  }
  return suggestLr(done, losses, diverged)
}

/** Smooths a finished sweep's losses and picks the suggested rate. */
export function suggestLr(lrs: readonly number[], losses: readonly number[], diverged = false): LrSweep {
  const smoothed: number[] = []
  let avg = 0
  for (let i = 0; i < losses.length; i++) {
    avg = 0.98 * avg + 0.02 * losses[i]
    smoothed.push(avg / (1 - 0.98 ** (i + 1)))
  }
  // Leave out a non-finite last point (the divergence that stopped the sweep).
  const m = smoothed.length - (Number.isFinite(smoothed[smoothed.length - 1]) ? 0 : 1)
  // The first tenth of the points is left out of the minimum (fastai skips its first 10): the bias-corrected
  // average there is still the raw loss of a handful of batches.
  const skip = m >= 20 ? Math.floor(m / 10) : 0
  let minAt = skip
  for (let i = skip + 1; i < m; i++) if (smoothed[i] < smoothed[minAt]) minAt = i
  return {
    lrs: [...lrs],
    losses: [...losses],
    smoothed,
    suggested: valley(smoothed.slice(0, m), lrs),
    minimumOver10: lrs[minAt] / 10,
    diverged
  }
}

/**
 * fastai's 'valley' rule: the longest run of the curve along which the loss keeps falling (longest strictly
 * decreasing subsequence), and the rate at ⌊⅓⌋ + ⌊⅙⌋ of its length from its start (about its middle). Measured on the whole fall rather
 * than on one slope, it is not thrown by the noise of single small batches, which the steepest-slope rule
 * follows. Null when no two points fall (the loss never decreased).
 */
function valley(loss: readonly number[], lrs: readonly number[]): number | null {
  const n = loss.length
  const lds = new Array<number>(n).fill(1)
  let end = 0
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) if (loss[i] < loss[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1
    if (lds[i] > lds[end]) end = i
  }
  if (lds[end] < 2) return null
  const start = end - lds[end]
  const third = (end - start) / 3
  return lrs[Math.max(0, start + Math.floor(third) + Math.floor(third / 2))]
}
