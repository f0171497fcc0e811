import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  BarController,
  BarElement,
  Tooltip,
  type ChartConfiguration,
  type Plugin
} from 'chart.js'
import type { CurveMark } from './run-curves'

Chart.register(
  LineController,
  ScatterController,
  BarController,
  LineElement,
  BarElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Tooltip,
  Legend,
  Filler
)

/** Colours of the curves: train blue, validation orange, others from the class palette. */
export const COLORS = { train: '#5fb0ff', val: '#f0a35a', lr: '#5fd38d', raw: 'rgba(95,176,255,0.25)' }
export const CLASS_COLORS = [
  '#5fb0ff',
  '#f0a35a',
  '#5fd38d',
  '#ff6b6b',
  '#b48cff',
  '#c9a27a',
  '#ff8ed1',
  '#a0a7b2',
  '#d4d45a',
  '#4fd6e0',
  '#7b83d6',
  '#e08a8a'
]

const MARK_COLORS: Record<CurveMark['kind'], string> = {
  stage: '#b48cff',
  'early-stop': '#ff6b6b',
  'lr-drop': '#f0b85a',
  checkpoint: '#5fd38d',
  resume: '#5fb0ff'
}

/** Options of the marks plugin, set per chart as `options.plugins.npMarks`. */
interface MarksOptions {
  marks: CurveMark[]
}

/** Draws vertical dashed lines with a short label at each mark's x (stage boundaries, early stop, LR drops). */
const marksPlugin: Plugin<'line'> = {
  id: 'npMarks',
  afterDatasetsDraw(chart, _args, opts: MarksOptions) {
    const marks = opts?.marks ?? []
    const x = chart.scales.x
    if (!x || marks.length === 0) return
    const { top, bottom } = chart.chartArea
    const ctx = chart.ctx
    ctx.save()
    ctx.font = '10px system-ui, sans-serif'
    // Labels go in the first of three rows where they do not overlap the previous one; with no room they are
    // left out (the line stays). Near the right edge a label sits left of its line.
    const rowEnds = [-Infinity, -Infinity, -Infinity]
    for (const m of marks) {
      const px = x.getPixelForValue(m.x)
      if (px < chart.chartArea.left - 1 || px > chart.chartArea.right + 1) continue
      ctx.strokeStyle = MARK_COLORS[m.kind]
      ctx.fillStyle = MARK_COLORS[m.kind]
      ctx.setLineDash([4, 3])
      ctx.beginPath()
      ctx.moveTo(px, top)
      ctx.lineTo(px, bottom)
      ctx.stroke()
      ctx.setLineDash([])
      const w = ctx.measureText(m.label).width
      const left = px + 3 + w > chart.chartArea.right ? px - 3 - w : px + 3
      const row = rowEnds.findIndex((end) => left > end + 4)
      if (row < 0) continue
      rowEnds[row] = left + w
      ctx.fillText(m.label, left, top + 10 + row * 11)
    }
    ctx.restore()
  }
}
Chart.register(marksPlugin as Plugin)

declare global {
  interface Window {
    /**
     * Live chart instances by their test id, so end-to-end tests can compare what is drawn with the catalog.
     * Read-only use; holds only what is on screen.
     */
    __charts?: Record<string, Chart>
  }
}

/** Creates a chart on `canvas` and registers it under `id` in window.__charts. */
export function createChart(id: string, canvas: HTMLCanvasElement, config: ChartConfiguration): Chart {
  const chart = new Chart(canvas, config)
  window.__charts ??= {}
  window.__charts[id] = chart
  return chart
}

/** Destroys a chart and forgets its registration. */
export function destroyChart(id: string, chart: Chart): void {
  if (window.__charts?.[id] === chart) delete window.__charts[id]
  chart.destroy()
}

/** Log-axis tick text: '1e-4', '5e-5'; minor ticks between (2…4, 6…9 × 10^k) stay unlabelled. */
function logTick(v: number): string {
  if (!(v > 0)) return ''
  const mantissa = Number((v / 10 ** Math.floor(Math.log10(v))).toFixed(6))
  return mantissa === 1 || mantissa === 5 ? v.toExponential(0).replace('e+', 'e') : ''
}

/** Axis titles, scales and fixed ranges of a chart (absent = fitted to the data). */
export interface ChartAxes {
  xTitle: string
  yTitle?: string
  /** Logarithmic x axis (the learning-rate finder plots loss against the rate). */
  xLog?: boolean
  yLog?: boolean
  yMin?: number
  yMax?: number
  xMin?: number
  xMax?: number
}

/** One linear or logarithmic axis, from `min` to `max` (undefined = fitted), titled when `title.display`. */
function axis(
  log: boolean | undefined,
  min: number | undefined,
  max: number | undefined,
  title: { display: boolean; text: string }
) {
  return {
    type: log ? ('logarithmic' as const) : ('linear' as const),
    min,
    max,
    grid: { color: 'rgba(138,148,163,0.15)' },
    ticks: {
      color: '#8a94a3',
      font: { size: 11 },
      ...(log ? { callback: (v: string | number) => logTick(Number(v)) } : {})
    },
    title: { ...title, color: '#8a94a3' }
  }
}

/** Shared look of the dark-theme charts. */
export function baseOptions(o: ChartAxes) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    parsing: false as const,
    normalized: true,
    interaction: { mode: 'nearest' as const, intersect: false },
    scales: {
      x: axis(o.xLog, o.xMin, o.xMax, { display: true, text: o.xTitle }),
      y: axis(o.yLog, o.yMin, o.yMax, { display: !!o.yTitle, text: o.yTitle ?? '' })
    },
    plugins: {
      legend: { labels: { color: '#d8dde4', boxWidth: 14, font: { size: 11 } } },
      tooltip: { enabled: true }
    }
  }
}
