/**
 * Where the image sits on the canvas: canvas pixel = offset + image pixel × scale. Pure functions so zoom,
 * pan, fit and 1:1 behave the same from the mouse, the keyboard and the tests.
 */
export interface ViewTransform {
  /** Canvas pixels per image pixel. */
  scale: number
  /** Canvas position of the image's top-left corner, canvas pixels. */
  x: number
  y: number
}

/** Zoom limits: 1/32 to 64 canvas pixels per image pixel. */
export const MIN_SCALE = 1 / 32
export const MAX_SCALE = 64

const clampScale = (s: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s))

/** The whole image visible and centred (the initial view). Sizes in pixels. */
export function fitView(imageW: number, imageH: number, canvasW: number, canvasH: number): ViewTransform {
  if (imageW <= 0 || imageH <= 0 || canvasW <= 0 || canvasH <= 0) return { scale: 1, x: 0, y: 0 }
  const scale = clampScale(Math.min(canvasW / imageW, canvasH / imageH))
  return { scale, x: (canvasW - imageW * scale) / 2, y: (canvasH - imageH * scale) / 2 }
}

/** One image pixel per canvas pixel, centred on whole pixels so nothing is resampled. */
export function actualSizeView(imageW: number, imageH: number, canvasW: number, canvasH: number): ViewTransform {
  return { scale: 1, x: Math.round((canvasW - imageW) / 2), y: Math.round((canvasH - imageH) / 2) }
}

/** Zooms by `factor` keeping the canvas point (cx, cy) over the same image point (wheel zoom under the cursor). */
export function zoomAt(v: ViewTransform, factor: number, cx: number, cy: number): ViewTransform {
  const scale = clampScale(v.scale * factor)
  const k = scale / v.scale
  return { scale, x: cx - (cx - v.x) * k, y: cy - (cy - v.y) * k }
}

/** Moves the image by (dx, dy) canvas pixels. */
export function panBy(v: ViewTransform, dx: number, dy: number): ViewTransform {
  return { scale: v.scale, x: v.x + dx, y: v.y + dy }
}

/**
 * The image pixel under canvas point (cx, cy), or null outside the image.
 * @returns integer column x and row y, 0-based.
 */
export function imagePixelAt(
  v: ViewTransform,
  cx: number,
  cy: number,
  imageW: number,
  imageH: number
): { x: number; y: number } | null {
  const x = Math.floor((cx - v.x) / v.scale)
  const y = Math.floor((cy - v.y) / v.scale)
  return x >= 0 && y >= 0 && x < imageW && y < imageH ? { x, y } : null
}
