import { emptyMap, withEntry, withoutEntry } from '../../datasets/immutable-map'
import type { ImagePoint, Measurement } from '../measure-math'

/** The tool the left mouse button uses: pan (none), a length line or an elliptical ROI. */
export type MeasureTool = 'none' | 'length' | 'ellipse'

/**
 * Measurements, kept per frame (by path and frame) for the session, and the one being drawn. Points are in
 * image pixel coordinates, so zoom and pan do not change them.
 */
export class MeasureState {
  tool = $state<MeasureTool>('none')
  /** Replaced whole on change, so the layer redraws. */
  byFrame = $state.raw(emptyMap<string, readonly Measurement[]>())
  drawing = $state.raw<Measurement | null>(null)

  setTool(t: MeasureTool): void {
    this.tool = this.tool === t ? 'none' : t
  }

  /** The measurements of frame `frame` of `path`. */
  of(path: string | undefined, frame: number): readonly Measurement[] {
    return path ? (this.byFrame.get(`${frame}\u0000${path}`) ?? []) : []
  }

  start(p: ImagePoint): void {
    if (this.tool === 'none') return
    this.drawing = { kind: this.tool, a: p, b: p }
  }

  move(p: ImagePoint): void {
    if (this.drawing) this.drawing = { ...this.drawing, b: p }
  }

  /** Keeps the drawn measurement on frame `frame` of `path` unless it has no extent. */
  end(path: string | undefined, frame: number): void {
    const m = this.drawing
    this.drawing = null
    if (!m || !path || (m.a.x === m.b.x && m.a.y === m.b.y)) return
    const key = `${frame}\u0000${path}`
    this.byFrame = withEntry(this.byFrame, key, [...(this.byFrame.get(key) ?? []), m])
  }

  /** Removes the measurements of one frame. */
  clear(path: string | undefined, frame: number): void {
    if (path) this.byFrame = withoutEntry(this.byFrame, `${frame}\u0000${path}`)
  }
}
