/**
 * Estimates seconds left in a stage from measured batch times: an exponential moving average of seconds
 * per sample (so a slow first batch, compiling kernels, fades out) times the samples still to go.
 */
export class StageEta {
  private secondsPerSample: number | null = null

  constructor(
    private readonly samplesPerEpoch: number,
    private readonly epochs: number
  ) {}

  observe(samples: number, seconds: number): void {
    if (samples <= 0 || seconds <= 0) return
    const s = seconds / samples
    this.secondsPerSample = this.secondsPerSample === null ? s : 0.8 * this.secondsPerSample + 0.2 * s
  }

  /** Seconds left after `samplesDone` samples of epoch `epoch` (0-based); null before any measurement. */
  remaining(epoch: number, samplesDone: number, validationSamples = 0): number | null {
    if (this.secondsPerSample === null) return null
    const left = (this.epochs - epoch) * this.samplesPerEpoch - samplesDone
    // Validation runs forward only: about a third of a training step per sample.
    const valLeft = (this.epochs - epoch) * validationSamples * 0.35
    return Math.max(0, (left + valLeft) * this.secondsPerSample)
  }
}
