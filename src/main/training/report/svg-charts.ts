/**
 * Static SVG plots for the self-contained HTML report: no script, no external resources, readable when
 * printed. Colours follow the app's curves (blue train, orange validation).
 */

/** Escapes text for HTML/SVG content and attribute values. */
export function esc(s: string | number): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
  )
}

/** A line to plot: points in data units. */
export interface SvgSeries {
  name: string
  color: string
  points: [number, number][]
  dashed?: boolean
}

/** A vertical marker at x (data units) with a short label: stage boundaries, early stops, LR drops. */
export interface SvgMark {
  x: number
  text: string
  color: string
}

const W = 460
const H = 260
const M = { l: 52, r: 14, t: 28, b: 40 }

const fmtTick = (v: number): string => {
  if (v === 0) return '0'
  const a = Math.abs(v)
  if (a < 1e-3 || a >= 1e5) return v.toExponential(0)
  return Number(v.toPrecision(3)).toString()
}

function ticks(min: number, max: number, n = 5): number[] {
  if (max <= min) return [min]
  const step = Math.pow(10, Math.floor(Math.log10((max - min) / n)))
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (max - min) / s <= n) ?? step * 10
  const out: number[] = []
  for (let v = Math.ceil(min / nice) * nice; v <= max + nice * 1e-9; v += nice) out.push(Number(v.toPrecision(12)))
  return out
}

/** A line chart with axes, gridlines, legend and optional vertical marks; `log` plots y on a log10 scale. */
export function lineChartSvg(o: {
  title: string
  series: SvgSeries[]
  xLabel: string
  yLabel?: string
  marks?: SvgMark[]
  yMin?: number
  yMax?: number
  xMin?: number
  xMax?: number
  log?: boolean
  square?: boolean
  /** Where the legend sits inside the plot; ROC curves hug the top left, so theirs goes bottom right. */
  legend?: 'top-right' | 'bottom-right'
}): string {
  const w = o.square ? 320 : W
  const h = o.square ? 300 : H
  const tf = (y: number) => (o.log ? Math.log10(Math.max(y, 1e-12)) : y)
  const all = o.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
  const xs = all.map((p) => p[0])
  const ys = all.map((p) => tf(p[1]))
  const x0 = o.xMin ?? Math.min(...xs, 0)
  let x1 = o.xMax ?? Math.max(...xs, 1)
  let y0 = o.yMin !== undefined ? tf(o.yMin) : Math.min(...ys)
  let y1 = o.yMax !== undefined ? tf(o.yMax) : Math.max(...ys)
  if (!Number.isFinite(y0) || !Number.isFinite(y1)) [y0, y1] = [0, 1]
  // A log axis spans whole decades, with a tick at each power of ten.
  if (o.log) [y0, y1] = [Math.floor(y0), Math.max(Math.ceil(y1), Math.floor(y0) + 1)]
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5]
  if (x1 - x0 < 1e-9) x1 = x0 + 1
  const px = (x: number) => M.l + ((x - x0) / (x1 - x0)) * (w - M.l - M.r)
  const py = (y: number) => h - M.b - ((tf(y) - y0) / (y1 - y0)) * (h - M.t - M.b)
  const parts: string[] = []
  parts.push(`<text x="${M.l}" y="16" class="t">${esc(o.title)}</text>`)
  const yTicks = o.log ? Array.from({ length: Math.round(y1 - y0) + 1 }, (_, i) => y0 + i) : ticks(y0, y1)
  for (const t of yTicks) {
    const y = h - M.b - ((t - y0) / (y1 - y0)) * (h - M.t - M.b)
    parts.push(`<line x1="${M.l}" x2="${w - M.r}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="g"/>`)
    parts.push(
      `<text x="${M.l - 6}" y="${(y + 4).toFixed(1)}" class="a" text-anchor="end">${fmtTick(o.log ? 10 ** t : t)}</text>`
    )
  }
  for (const t of ticks(x0, x1, 6)) {
    const x = px(t)
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${h - M.b}" y2="${h - M.b + 4}" class="ax"/>`)
    parts.push(`<text x="${x.toFixed(1)}" y="${h - M.b + 16}" class="a" text-anchor="middle">${fmtTick(t)}</text>`)
  }
  parts.push(`<line x1="${M.l}" x2="${w - M.r}" y1="${h - M.b}" y2="${h - M.b}" class="ax"/>`)
  parts.push(`<line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${h - M.b}" class="ax"/>`)
  parts.push(`<text x="${(M.l + w - M.r) / 2}" y="${h - 6}" class="a" text-anchor="middle">${esc(o.xLabel)}</text>`)
  if (o.yLabel)
    parts.push(
      `<text x="12" y="${(M.t + h - M.b) / 2}" class="a" text-anchor="middle" transform="rotate(-90 12 ${(M.t + h - M.b) / 2})">${esc(o.yLabel)}</text>`
    )
  for (const m of o.marks ?? []) {
    const x = px(m.x)
    parts.push(
      `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${M.t}" y2="${h - M.b}" stroke="${m.color}" stroke-dasharray="3 3"/>`
    )
    parts.push(
      `<text x="${(x + 3).toFixed(1)}" y="${M.t + 10}" class="m" fill="${m.color}"><title>${esc(m.text)}</title>${esc(m.text.slice(0, 18))}</text>`
    )
  }
  for (const s of o.series) {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
    if (!pts.length) continue
    const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('')
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`
    )
    if (pts.length <= 60)
      for (const [x, y] of pts)
        parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2" fill="${s.color}"/>`)
  }
  o.series.forEach((s, i) => {
    const lx = w - M.r - 150
    const ly = o.legend === 'bottom-right' ? h - M.b - 8 - (o.series.length - 1 - i) * 14 : M.t + 4 + i * 14
    parts.push(
      `<line x1="${lx}" x2="${lx + 16}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`
    )
    parts.push(`<text x="${lx + 20}" y="${ly + 4}" class="a">${esc(s.name.slice(0, 26))}</text>`)
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(o.title)}">${parts.join('')}</svg>`
}

/** Class names shortened for axis labels; the full name stays in a tooltip. */
export function abbreviate(name: string, max = 12): string {
  return name.length <= max ? name : `${name.slice(0, max - 1)}…`
}

/**
 * Confusion-matrix heatmap (rows = true class, columns = predicted), counts or row-normalised. Column labels
 * are rotated and abbreviated so 17 classes stay readable; each cell has a tooltip with both class names.
 */
export function confusionSvg(confusion: number[][], classNames: string[], normalise: boolean): string {
  const k = classNames.length
  const cell = k <= 6 ? 44 : k <= 12 ? 30 : 24
  const left = 110
  const top = 96
  // Room on the right for the last rotated column label.
  const w = left + k * cell + 70
  const h = top + k * cell + 30
  const parts: string[] = []
  const rowSum = confusion.map((r) => r.reduce((a, b) => a + b, 0))
  const max = Math.max(1, ...confusion.flat())
  parts.push(`<text x="4" y="14" class="t">Confusion matrix (${normalise ? 'row-normalised' : 'counts'})</text>`)
  parts.push(`<text x="${left + (k * cell) / 2}" y="30" class="a" text-anchor="middle">predicted</text>`)
  parts.push(
    `<text x="12" y="${top + (k * cell) / 2}" class="a" text-anchor="middle" transform="rotate(-90 12 ${top + (k * cell) / 2})">true</text>`
  )
  classNames.forEach((n, j) => {
    const x = left + j * cell + cell / 2
    parts.push(
      `<text x="${x}" y="${top - 6}" class="a" transform="rotate(-50 ${x} ${top - 6})"><title>${esc(n)}</title>${esc(abbreviate(n))}</text>`
    )
    parts.push(
      `<text x="${left - 6}" y="${top + j * cell + cell / 2 + 4}" class="a" text-anchor="end"><title>${esc(n)}</title>${esc(abbreviate(n, 14))}</text>`
    )
  })
  confusion.forEach((row, i) =>
    row.forEach((v, j) => {
      const frac = normalise ? (rowSum[i] ? v / rowSum[i] : 0) : v / max
      const x = left + j * cell
      const y = top + i * cell
      const fill = `rgba(${i === j ? '46,160,90' : '95,150,255'},${(0.08 + 0.92 * frac).toFixed(3)})`
      const label = normalise ? (rowSum[i] ? (v / rowSum[i]).toFixed(2) : '–') : String(v)
      const tip = `true ${classNames[i]} → predicted ${classNames[j]}: ${v}${rowSum[i] ? ` (${((100 * v) / rowSum[i]).toFixed(1)} % of ${rowSum[i]})` : ''}`
      parts.push(
        `<g><title>${esc(tip)}</title><rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"/>`
      )
      if (cell >= 24)
        parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" class="c" text-anchor="middle">${label}</text>`)
      parts.push('</g>')
    })
  )
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Confusion matrix">${parts.join('')}</svg>`
}

/** Twelve distinguishable colours for per-class curves, reused cyclically. */
export const CLASS_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#ad494a'
]

/**
 * Reliability diagram: accuracy against mean confidence per confidence bin, bar widths = bins, with the
 * diagonal of perfect calibration and each bin's count in a tooltip.
 */
export function reliabilitySvg(
  bins: { lower: number; upper: number; count: number; confidence: number | null; accuracy: number | null }[],
  ece: number
): string {
  const w = 320
  const h = 300
  const m = { l: 44, r: 12, t: 28, b: 40 }
  const px = (x: number) => m.l + x * (w - m.l - m.r)
  const py = (y: number) => h - m.b - y * (h - m.t - m.b)
  const parts: string[] = [`<text x="${m.l}" y="16" class="t">Reliability (ECE ${ece.toFixed(3)})</text>`]
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${m.l}" x2="${w - m.r}" y1="${py(t)}" y2="${py(t)}" class="g"/>`)
    parts.push(`<text x="${m.l - 6}" y="${py(t) + 4}" class="a" text-anchor="end">${t}</text>`)
    parts.push(`<text x="${px(t)}" y="${h - m.b + 16}" class="a" text-anchor="middle">${t}</text>`)
  }
  for (const b of bins) {
    if (b.accuracy === null || b.count === 0) continue
    const x = px(b.lower) + 1
    const bw = px(b.upper) - px(b.lower) - 2
    const tip = `confidence ${b.lower.toFixed(2)}–${b.upper.toFixed(2)}: ${b.count} images, accuracy ${b.accuracy.toFixed(3)}, mean confidence ${(b.confidence ?? 0).toFixed(3)}`
    parts.push(
      `<rect x="${x}" y="${py(b.accuracy)}" width="${Math.max(bw, 1)}" height="${py(0) - py(b.accuracy)}" fill="#5f96ff" fill-opacity="0.75"><title>${esc(tip)}</title></rect>`
    )
  }
  parts.push(`<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#888" stroke-dasharray="4 3"/>`)
  parts.push(`<text x="${(m.l + w - m.r) / 2}" y="${h - 6}" class="a" text-anchor="middle">confidence</text>`)
  parts.push(
    `<text x="12" y="${(m.t + h - m.b) / 2}" class="a" text-anchor="middle" transform="rotate(-90 12 ${(m.t + h - m.b) / 2})">accuracy</text>`
  )
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Reliability diagram">${parts.join('')}</svg>`
}
