/**
 * Where the image sits on the canvas: canvas x = x + image column × scale, canvas y = y + image row × scale ×
 * aspect. `aspect` draws non-square pixels (Pixel Spacing (0028,0030) row ≠ column, Pixel Aspect Ratio
 * (0028,0034), a volume plane with unequal voxel sizes) at their true shape: only the vertical axis is
 * stretched. Pure functions so zoom, pan, fit and 1:1 behave the same from the mouse, the keyboard and the tests.
 */
export interface ViewTransform {
  /** Canvas pixels per image column. */
  scale: number
  /** Canvas position of the image's top-left corner, canvas pixels. */
  x: number
  y: number
  /** Height of a pixel over its width (row spacing / column spacing); canvas pixels per image row = scale × aspect. */
  aspect: number
}

/** Zoom limits: 1/32 to 64 canvas pixels per image pixel. */
export const MIN_SCALE = 1 / 32
export const MAX_SCALE = 64

/** Aspects further from square than this are treated as a broken header and drawn square. */
const MAX_ASPECT = 16

const clampScale = (s: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s))

/** A view of square pixels at 1:1, top-left at the origin. */
export const IDENTITY_VIEW: ViewTransform = { scale: 1, x: 0, y: 0, aspect: 1 }

/**
 * The displayed height/width ratio of one pixel: Pixel Spacing (0028,0030) [row, column] → row / column, else
 * Pixel Aspect Ratio (0028,0034) [vertical, horizontal] → vertical / horizontal, else 1. Ratios beyond 16:1
 * (or not positive) are treated as 1.
 */
export function pixelAspect(f: { pixelSpacing?: [number, number]; pixelAspectRatio?: [number, number] }): number {
  const pair = f.pixelSpacing ?? f.pixelAspectRatio
  if (!pair) return 1
  const a = pair[0] / pair[1]
  return Number.isFinite(a) && a > 0 && a <= MAX_ASPECT && a >= 1 / MAX_ASPECT ? a : 1
}

/** The whole image visible and centred (the initial view). Sizes in pixels. */
export function fitView(imageW: number, imageH: number, canvasW: number, canvasH: number, aspect = 1): ViewTransform {
  if (imageW <= 0 || imageH <= 0 || canvasW <= 0 || canvasH <= 0) return { ...IDENTITY_VIEW, aspect }
  const tall = imageH * aspect
  const scale = clampScale(Math.min(canvasW / imageW, canvasH / tall))
  return { scale, x: (canvasW - imageW * scale) / 2, y: (canvasH - tall * scale) / 2, aspect }
}

/** One image column per canvas pixel (rows stretched by `aspect`), centred on whole pixels. */
export function actualSizeView(
  imageW: number,
  imageH: number,
  canvasW: number,
  canvasH: number,
  aspect = 1
): ViewTransform {
  return { scale: 1, x: Math.round((canvasW - imageW) / 2), y: Math.round((canvasH - imageH * aspect) / 2), aspect }
}

/** Zooms by `factor` keeping the canvas point (cx, cy) over the same image point (wheel zoom under the cursor). */
export function zoomAt(v: ViewTransform, factor: number, cx: number, cy: number): ViewTransform {
  const scale = clampScale(v.scale * factor)
  const k = scale / v.scale
  return { scale, x: cx - (cx - v.x) * k, y: cy - (cy - v.y) * k, aspect: v.aspect }
}

/** Moves the image by (dx, dy) canvas pixels. */
export function panBy(v: ViewTransform, dx: number, dy: number): ViewTransform {
  return { ...v, x: v.x + dx, y: v.y + dy }
}

/** Canvas point of continuous image coordinates (x columns, y rows). */
export function toCanvas(v: ViewTransform, x: number, y: number): { cx: number; cy: number } {
  return { cx: v.x + x * v.scale, cy: v.y + y * v.scale * v.aspect }
}

/** Continuous image coordinates (columns, rows) under canvas point (cx, cy). */
export function toImage(v: ViewTransform, cx: number, cy: number): { x: number; y: number } {
  return { x: (cx - v.x) / v.scale, y: (cy - v.y) / (v.scale * v.aspect) }
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
  const p = toImage(v, cx, cy)
  const x = Math.floor(p.x)
  const y = Math.floor(p.y)
  return x >= 0 && y >= 0 && x < imageW && y < imageH ? { x, y } : null
}
