import { DEFAULT_FPS, MAX_FPS, MIN_FPS } from '../presets'

/**
 * Cine playback: `advance` shows the next frame and resolves once it is on screen; the next tick is scheduled
 * after that, so a slow decode lowers the rate instead of skipping frames.
 */
export class CineState {
  playing = $state(false)
  fps = $state(DEFAULT_FPS)
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly advance: () => Promise<void>) {}

  setFps(fps: number): void {
    this.fps = Math.max(MIN_FPS, Math.min(MAX_FPS, Math.round(fps) || DEFAULT_FPS))
  }

  /** Starts (when there is more than one frame) or stops playback. */
  toggle(frames: number): void {
    if (this.playing) this.stop()
    else if (frames > 1) {
      this.playing = true
      this.tick()
    }
  }

  stop(): void {
    this.playing = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private tick(): void {
    if (!this.playing) return
    const started = performance.now()
    void this.advance().then(() => {
      if (!this.playing) return
      const wait = Math.max(0, 1000 / this.fps - (performance.now() - started))
      this.timer = setTimeout(() => this.tick(), wait)
    })
  }
}
