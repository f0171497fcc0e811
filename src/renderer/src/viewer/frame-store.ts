import type { FrameData, ViewerPlane } from '../../../shared/contract/imaging'
import { frameKey } from './stack'

/**
 * The application's one frame cache budget, in bytes of modality values: 192 MiB ≈ 190 slices of 512×512
 * (Float32). Main keeps no decoded frames (imaging-service passes budget 0 to its FrameCache), so this is all
 * the memory decoded frames take.
 */
export const FRAME_STORE_BYTES = 192 * 1024 * 1024

/**
 * The frame cache: scrolling back, cine loops and series thumbnails reuse frames already received, and
 * prefetching the next slices shares in-flight requests with the display. Least recently used frames go first.
 */
export class FrameStore {
  private readonly frames = new Map<string, FrameData>()
  private readonly inflight = new Map<string, Promise<FrameData>>()
  private bytes = 0

  constructor(
    private readonly fetchFrame: (path: string, frame: number, plane?: ViewerPlane) => Promise<FrameData>,
    private readonly budget = FRAME_STORE_BYTES
  ) {}

  /** The frame if already here (no request), marking it recently used. */
  peek(path: string, frame: number, plane?: ViewerPlane): FrameData | undefined {
    const key = frameKey(path, frame, plane)
    const hit = this.frames.get(key)
    if (hit) {
      this.frames.delete(key)
      this.frames.set(key, hit)
    }
    return hit
  }

  /** The frame, fetched once however many callers ask at the same time. */
  get(path: string, frame: number, plane?: ViewerPlane): Promise<FrameData> {
    const hit = this.peek(path, frame, plane)
    if (hit) return Promise.resolve(hit)
    const key = frameKey(path, frame, plane)
    let p = this.inflight.get(key)
    if (!p) {
      p = this.fetchFrame(path, frame, plane)
        .then((data) => {
          this.store(key, data)
          return data
        })
        .finally(() => this.inflight.delete(key))
      this.inflight.set(key, p)
    }
    return p
  }

  /** Starts fetching frames nobody waits for yet; failures are ignored (they surface when displayed). */
  prefetch(items: { path: string; frame: number; plane?: ViewerPlane }[], maxInFlight = 4): void {
    for (const it of items) {
      if (this.inflight.size >= maxInFlight) return
      const key = frameKey(it.path, it.frame, it.plane)
      if (this.frames.has(key) || this.inflight.has(key)) continue
      this.get(it.path, it.frame, it.plane).catch(() => undefined)
    }
  }

  /** Drops every frame (a new folder was opened). */
  clear(): void {
    this.frames.clear()
    this.bytes = 0
  }

  get size(): number {
    return this.frames.size
  }

  private store(key: string, data: FrameData): void {
    const cost = data.modality.byteLength
    if (cost > this.budget || this.frames.has(key)) return
    this.frames.set(key, data)
    this.bytes += cost
    for (const [k, v] of this.frames) {
      if (this.bytes <= this.budget) break
      this.frames.delete(k)
      this.bytes -= v.modality.byteLength
    }
  }
}
