/**
 * Pure helpers of the embedding-map scatter: the view transform (fit, pan, zoom), colouring, a single-pass
 * pixel renderer, hit testing and box selection. Points are n × 2 float32 in map units; the canvas is in
 * device pixels.
 */

/** Map units → canvas pixels: px = x · scale + ox, py = −y · scale + oy (y up, as plotted). */
export interface MapView {
  scale: number
  ox: number
  oy: number
}

/** A view that shows every point with a margin of `pad` pixels. */
export function fitView(coords: Float32Array, width: number, height: number, pad = 16): MapView {
  let x0 = Infinity
  let x1 = -Infinity
  let y0 = Infinity
  let y1 = -Infinity
  for (let i = 0; i < coords.length; i += 2) {
    const x = coords[i]
    const y = coords[i + 1]
    if (x < x0) x0 = x
    if (x > x1) x1 = x
    if (y < y0) y0 = y
    if (y > y1) y1 = y
  }
  if (!Number.isFinite(x0)) return { scale: 1, ox: width / 2, oy: height / 2 }
  const scale = Math.min((width - 2 * pad) / Math.max(x1 - x0, 1e-9), (height - 2 * pad) / Math.max(y1 - y0, 1e-9))
  return { scale, ox: width / 2 - ((x0 + x1) / 2) * scale, oy: height / 2 + ((y0 + y1) / 2) * scale }
}

/** Zooms by `factor` keeping the map point under pixel (px, py) in place. */
export function zoomAt(v: MapView, px: number, py: number, factor: number): MapView {
  return { scale: v.scale * factor, ox: px - (px - v.ox) * factor, oy: py - (py - v.oy) * factor }
}

export function panBy(v: MapView, dx: number, dy: number): MapView {
  return { ...v, ox: v.ox + dx, oy: v.oy + dy }
}

/** A lookup from id to its position in `ids` (undefined for an id not there). */
export function positionOf(ids: readonly number[]): (id: number) => number | undefined {
  const at = new Map(ids.map((id, i) => [id, i]))
  return (id) => at.get(id)
}

/** Ten distinguishable colours (Tableau 10), as CSS and as little-endian RGBA words for ImageData. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac'
]
const GREY = '#6b6b6b'

function rgbaWord(css: string): number {
  const n = parseInt(css.slice(1), 16)
  return ((0xff << 24) | ((n & 0xff) << 16) | (n & 0xff00) | ((n >> 16) & 0xff)) >>> 0
}

/** Colour index per point and the legend, from one category value per point (null = unknown, grey, legend `noneLabel`). */
export function categorise(
  values: readonly (string | null)[],
  noneLabel = 'none'
): {
  index: Uint16Array
  legend: { label: string; css: string }[]
} {
  const counts = new Map<string, number>()
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1)
  // The most frequent categories get their own colour; beyond the palette they share "other" (grey).
  const ranked = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || a.localeCompare(b))
  const own = ranked.slice(0, PALETTE.length)
  const slot = new Map(own.map((v, i) => [v, i]))
  const other = own.length
  const index = Uint16Array.from(values, (v) => (v === null ? other : (slot.get(v) ?? other)))
  const legend = own.map((label, i) => ({ label, css: PALETTE[i] }))
  if (ranked.length > own.length || values.some((v) => v === null))
    legend.push({ label: ranked.length > own.length ? `other / ${noneLabel}` : noneLabel, css: GREY })
  return { index, legend }
}

/**
 * Colour index per point and the legend for categories with fixed colours (e.g. correct green, wrong red), in
 * the given order; a value not among them (or null) is grey under `noneLabel`. Only categories present are
 * listed.
 */
export function fixedCategories(
  values: readonly (string | null)[],
  colours: readonly { label: string; css: string }[],
  noneLabel: string
): { index: Uint16Array; legend: { label: string; css: string }[] } {
  const present = colours.filter((c) => values.includes(c.label))
  const slot = new Map(present.map((c, i) => [c.label, i]))
  const none = present.length
  const index = Uint16Array.from(values, (v) => (v === null ? none : (slot.get(v) ?? none)))
  const legend = [...present]
  if (index.some((i) => i === none)) legend.push({ label: noneLabel, css: GREY })
  return { index, legend }
}

/** The RGBA words of a legend, in colour-index order (index = legend position). */
export function legendWords(legend: readonly { css: string }[]): Uint32Array {
  return Uint32Array.from(legend, (l) => rgbaWord(l.css))
}

/**
 * Draws every point as a `size`-pixel square into `pixels` (the canvas's ImageData viewed as Uint32 words,
 * cleared to `background` first) in one pass: no path or style change per point, so 20,000 points take a few
 * milliseconds. Selected points (mask 1) are drawn last, in white outline colour, so they stay visible.
 */
export function drawPoints(
  pixels: Uint32Array,
  width: number,
  height: number,
  coords: Float32Array,
  colour: Uint16Array,
  words: Uint32Array,
  v: MapView,
  background: number,
  selected: Uint8Array | null,
  size = 3
): void {
  pixels.fill(background)
  const white = 0xffffffff
  const put = (i: number, word: number, s: number) => {
    const px = Math.round(coords[i * 2] * v.scale + v.ox) - (s >> 1)
    const py = Math.round(-coords[i * 2 + 1] * v.scale + v.oy) - (s >> 1)
    if (px + s <= 0 || py + s <= 0 || px >= width || py >= height) return
    const xa = Math.max(0, px)
    const xb = Math.min(width, px + s)
    for (let y = Math.max(0, py); y < Math.min(height, py + s); y++) {
      const row = y * width
      for (let x = xa; x < xb; x++) pixels[row + x] = word
    }
  }
  const n = coords.length >> 1
  for (let i = 0; i < n; i++) if (!selected || !selected[i]) put(i, words[colour[i]] ?? white, size)
  if (selected)
    for (let i = 0; i < n; i++)
      if (selected[i]) {
        put(i, white, size + 2)
        put(i, words[colour[i]] ?? white, size)
      }
}

/** Index of the point nearest pixel (px, py) within `radius` pixels, or -1. */
export function hitTest(coords: Float32Array, v: MapView, px: number, py: number, radius = 6): number {
  let best = -1
  let bestD = radius * radius
  for (let i = 0; i < coords.length >> 1; i++) {
    const dx = coords[i * 2] * v.scale + v.ox - px
    const dy = -coords[i * 2 + 1] * v.scale + v.oy - py
    const d = dx * dx + dy * dy
    if (d <= bestD) {
      bestD = d
      best = i
    }
  }
  return best
}

/** Indices of the points inside the pixel rectangle spanned by (ax, ay) and (bx, by). */
export function pointsInBox(
  coords: Float32Array,
  v: MapView,
  ax: number,
  ay: number,
  bx: number,
  by: number
): number[] {
  const [x0, x1] = ax < bx ? [ax, bx] : [bx, ax]
  const [y0, y1] = ay < by ? [ay, by] : [by, ay]
  const out: number[] = []
  for (let i = 0; i < coords.length >> 1; i++) {
    const px = coords[i * 2] * v.scale + v.ox
    const py = -coords[i * 2 + 1] * v.scale + v.oy
    if (px >= x0 && px <= x1 && py >= y0 && py <= y1) out.push(i)
  }
  return out
}
