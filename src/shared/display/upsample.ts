/*
 * Bilinear upsampling of small grids (Grad-CAM maps) for display: shared by the renderer, which draws the
 * overlay, and the tests that check where a map peaks. Pure; no Node, Electron or DOM.
 */
/**
 * Bilinear upsampling of a `gw × gh` grid (row-major) to `w × h`, with cell centres at ((i + 0.5)/gw)·w, i.e.
 * the grid covers the whole target rectangle (half-pixel centres, edges clamped). Returns w × h values.
 */
export function upsampleBilinear(grid: ArrayLike<number>, gw: number, gh: number, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h)
  const sx = gw / w
  const sy = gh / h
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), gh - 1)
    const y0 = Math.floor(fy)
    const y1 = Math.min(y0 + 1, gh - 1)
    const ty = fy - y0
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), gw - 1)
      const x0 = Math.floor(fx)
      const x1 = Math.min(x0 + 1, gw - 1)
      const tx = fx - x0
      const top = grid[y0 * gw + x0] * (1 - tx) + grid[y0 * gw + x1] * tx
      const bottom = grid[y1 * gw + x0] * (1 - tx) + grid[y1 * gw + x1] * tx
      out[y * w + x] = top * (1 - ty) + bottom * ty
    }
  }
  return out
}

/**
 * Largest size the viewer upsamples a Grad-CAM grid to, pixels on the long side (the overlay is then drawn
 * stretched over the image). Main sends only the grid; the renderer upsamples it with `upsampleBilinear`.
 */
export const MAX_MAP_SIDE = 1024

/** The image geometry `w × h` scaled down (keeping its aspect ratio) to at most MAX_MAP_SIDE on the long side. */
export function mapGeometry(w: number, h: number): { width: number; height: number } {
  const k = Math.min(1, MAX_MAP_SIDE / Math.max(w, h, 1))
  return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) }
}
