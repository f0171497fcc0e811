import type { FrameData } from '../../../../shared/contract/imaging'
import {
  actualSizeView,
  fitView,
  IDENTITY_VIEW,
  panBy,
  pixelAspect,
  zoomAt,
  type ViewTransform
} from '../view-transform'

/**
 * Zoom and pan of the image on screen, in canvas pixels; 'fit' re-fits on resize and image size changes. Non-square
 * pixels are drawn at their true shape (`pixelAspect`: Pixel Spacing, else Pixel Aspect Ratio).
 */
export class ViewTransformState {
  view = $state.raw<ViewTransform>(IDENTITY_VIEW)
  mode = $state<'fit' | 'custom'>('fit')
  private canvasW = 0
  private canvasH = 0

  constructor(private readonly frame: () => FrameData | null) {}

  /** A frame is about to show (`prev` was on screen before): re-fit when fitting or the size changed. */
  onFrame(prev: FrameData | null, data: FrameData): void {
    const reshaped =
      !prev || prev.width !== data.width || prev.height !== data.height || pixelAspect(prev) !== pixelAspect(data)
    if (this.mode === 'fit' || reshaped) this.fitTo(data)
  }

  /** The canvas size in canvas pixels, from the viewport's ResizeObserver. */
  setCanvasSize(w: number, h: number): void {
    const dw = w - this.canvasW
    const dh = h - this.canvasH
    this.canvasW = w
    this.canvasH = h
    if (this.mode === 'fit') this.fit()
    // Keep what was in the middle in the middle when a panel opens or the window resizes.
    else this.view = panBy(this.view, Math.round(dw / 2), Math.round(dh / 2))
  }

  fit(): void {
    const f = this.frame()
    this.mode = 'fit'
    if (f) this.fitTo(f)
  }

  actualSize(): void {
    const f = this.frame()
    if (!f) return
    this.mode = 'custom'
    this.view = actualSizeView(f.width, f.height, this.canvasW, this.canvasH, pixelAspect(f))
  }

  /** Zooms by `factor` around canvas point (cx, cy), the canvas centre by default. */
  zoom(factor: number, cx = this.canvasW / 2, cy = this.canvasH / 2): void {
    this.mode = 'custom'
    this.view = zoomAt(this.view, factor, cx, cy)
  }

  pan(dx: number, dy: number): void {
    this.mode = 'custom'
    this.view = panBy(this.view, dx, dy)
  }

  private fitTo(f: FrameData): void {
    this.mode = 'fit'
    this.view = fitView(f.width, f.height, this.canvasW, this.canvasH, pixelAspect(f))
  }
}
