/**
 * Readies a canvas laid over the image (saliency map, SEG masks) for a redraw: sized to `w`×`h` canvas pixels
 * (resizing clears it), transform reset, cleared.
 * @returns its 2D context, or null when the browser gives none.
 */
export function clearOverlayCanvas(canvas: HTMLCanvasElement, w: number, h: number): CanvasRenderingContext2D | null {
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w
    canvas.height = h
  }
  const ctx = canvas.getContext('2d')
  if (!ctx) return null
  ctx.setTransform(1, 0, 0, 1, 0, 0)
  ctx.clearRect(0, 0, w, h)
  return ctx
}
