import type { ViewTransform } from './view-transform'
import { WindowRenderer, type FramePixels, type WindowParams } from '../../../shared/display/window-lut'

/** Timing of one window/level re-render, milliseconds (performance.now). */
export interface PaintTiming {
  /** Lookup table + pixel pass + putImageData + drawImage. */
  totalMs: number
}

/**
 * Draws one frame on the visible canvas: the windowed frame lives at native resolution on an off-screen
 * canvas and is drawn with the view transform, so zoom and pan never touch the pixels and a window/level
 * change costs one lookup-table pass.
 */
export class CanvasPainter {
  private readonly ctx: CanvasRenderingContext2D
  private readonly buffer: HTMLCanvasElement
  private readonly bufferCtx: CanvasRenderingContext2D
  private renderer: WindowRenderer | null = null
  private imageData: ImageData | null = null
  private frame: FramePixels | null = null

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false })
    this.buffer = document.createElement('canvas')
    const bufferCtx = this.buffer.getContext('2d')
    if (!ctx || !bufferCtx) throw new Error('this browser cannot draw on a 2D canvas')
    this.ctx = ctx
    this.bufferCtx = bufferCtx
  }

  /** Prepares a new frame (buffers, lookup indices); call `window` then `draw` to show it. */
  setFrame(frame: FramePixels | null): void {
    if (frame === this.frame) return
    this.frame = frame
    if (!frame) {
      this.renderer = null
      this.imageData = null
      return
    }
    this.renderer = new WindowRenderer(frame)
    if (this.buffer.width !== frame.width || this.buffer.height !== frame.height) {
      this.buffer.width = frame.width
      this.buffer.height = frame.height
    }
    this.imageData = new ImageData(this.renderer.rgba as Uint8ClampedArray<ArrayBuffer>, frame.width, frame.height)
  }

  /** Re-windows the current frame into the off-screen buffer. */
  window(win: WindowParams | null, invert: boolean): void {
    if (!this.renderer || !this.imageData) return
    this.renderer.render(win, invert)
    this.bufferCtx.putImageData(this.imageData, 0, 0)
  }

  /** Clears the canvas and draws the buffer with `view`; smoothing only when shrinking, so zoomed pixels stay square. */
  draw(view: ViewTransform): void {
    const { ctx, canvas } = this
    ctx.setTransform(1, 0, 0, 1, 0, 0)
    ctx.fillStyle = '#000'
    ctx.fillRect(0, 0, canvas.width, canvas.height)
    if (!this.frame) return
    ctx.imageSmoothingEnabled = Math.min(view.scale, view.scale * view.aspect) < 1
    ctx.imageSmoothingQuality = 'high'
    ctx.setTransform(view.scale, 0, 0, view.scale * view.aspect, view.x, view.y)
    ctx.drawImage(this.buffer, 0, 0)
    ctx.setTransform(1, 0, 0, 1, 0, 0)
  }

  /** `window` then `draw`, timed. */
  paint(win: WindowParams | null, invert: boolean, view: ViewTransform): PaintTiming {
    const t0 = performance.now()
    this.window(win, invert)
    this.draw(view)
    return { totalMs: performance.now() - t0 }
  }
}
