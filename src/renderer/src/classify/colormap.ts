/** Colour maps for saliency overlays: 256 RGB entries each, low → high. */
export type ColormapName = 'jet' | 'inferno' | 'viridis' | 'hot'

export const COLORMAPS: { id: ColormapName; label: string }[] = [
  { id: 'jet', label: 'Jet' },
  { id: 'inferno', label: 'Inferno' },
  { id: 'viridis', label: 'Viridis' },
  { id: 'hot', label: 'Hot' }
]

type Rgb = [number, number, number]

// Control points (position 0..1, RGB 0..255), interpolated linearly; inferno and viridis follow matplotlib's.
const STOPS: Record<ColormapName, [number, Rgb][]> = {
  jet: [
    [0, [0, 0, 131]],
    [0.125, [0, 60, 170]],
    [0.375, [5, 255, 255]],
    [0.625, [255, 255, 0]],
    [0.875, [250, 0, 0]],
    [1, [128, 0, 0]]
  ],
  inferno: [
    [0, [0, 0, 4]],
    [0.14, [31, 12, 72]],
    [0.29, [85, 15, 109]],
    [0.43, [136, 34, 106]],
    [0.57, [186, 54, 85]],
    [0.71, [227, 89, 51]],
    [0.86, [249, 140, 10]],
    [1, [252, 255, 164]]
  ],
  viridis: [
    [0, [68, 1, 84]],
    [0.14, [70, 50, 126]],
    [0.29, [54, 92, 141]],
    [0.43, [39, 127, 142]],
    [0.57, [31, 161, 135]],
    [0.71, [74, 193, 109]],
    [0.86, [160, 218, 57]],
    [1, [253, 231, 37]]
  ],
  hot: [
    [0, [11, 0, 0]],
    [0.37, [255, 0, 0]],
    [0.74, [255, 255, 0]],
    [1, [255, 255, 255]]
  ]
}

const cache = new Map<ColormapName, Uint8Array>()

/** The 256 × 3 lookup table of a colour map. */
export function colormapLut(name: ColormapName): Uint8Array {
  const hit = cache.get(name)
  if (hit) return hit
  const stops = STOPS[name]
  const lut = new Uint8Array(256 * 3)
  for (let i = 0; i < 256; i++) {
    const t = i / 255
    let k = 0
    while (k < stops.length - 2 && t > stops[k + 1][0]) k++
    const [t0, c0] = stops[k]
    const [t1, c1] = stops[k + 1]
    const u = Math.min(1, Math.max(0, (t - t0) / (t1 - t0)))
    for (let ch = 0; ch < 3; ch++) lut[i * 3 + ch] = Math.round(c0[ch] + (c1[ch] - c0[ch]) * u)
  }
  cache.set(name, lut)
  return lut
}

/** Below this saliency (of the map's maximum) the overlay fades to transparent, so unimportant tissue stays visible. */
export const FADE_BELOW = 0.2

/**
 * A heatmap (0..255) as RGBA through colour map `name`: alpha = 255 × min(1, v / (255 × FADE_BELOW)), so the
 * overlay's opacity (applied when drawing) governs the strong regions and empty regions stay clear.
 */
export function heatmapToRgba(heatmap: Uint8Array, name: ColormapName): Uint8ClampedArray {
  const lut = colormapLut(name)
  const out = new Uint8ClampedArray(heatmap.length * 4)
  const fade = 255 * FADE_BELOW
  for (let i = 0; i < heatmap.length; i++) {
    const v = heatmap[i]
    out[i * 4] = lut[v * 3]
    out[i * 4 + 1] = lut[v * 3 + 1]
    out[i * 4 + 2] = lut[v * 3 + 2]
    out[i * 4 + 3] = Math.min(255, Math.round((v / fade) * 255))
  }
  return out
}

/** CSS linear-gradient of a colour map, for the legend. */
export function colormapGradient(name: ColormapName): string {
  return `linear-gradient(to right, ${STOPS[name].map(([t, [r, g, b]]) => `rgb(${r} ${g} ${b}) ${Math.round(t * 100)}%`).join(', ')})`
}
