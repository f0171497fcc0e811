import type { FrameData } from '../../../../shared/contract/imaging'
import { percentileRange, WINDOW_PRESETS, type WindowPresetId } from '../presets'
import type { WindowParams } from '../../../../shared/display/window-lut'
import { voiLutSpan } from '../../../../shared/display/voi-lut'

/** The window/level in use, in modality units, and where it came from (shown in the overlay). */
export interface ActiveWindow extends WindowParams {
  label: string
}

/** Series whose last window is remembered; the oldest is forgotten first. */
const REMEMBERED_SERIES = 256

/**
 * Window/level and invert of the image on screen. The last window is remembered per series (keyed by the
 * Series Instance UID or folder), so a window set on one series never carries into another one, e.g. into
 * the classification result of a different series.
 */
export class WindowLevelState {
  window = $state.raw<ActiveWindow | null>(null)
  /** The user's invert toggle; the display inverts when this differs from MONOCHROME1. */
  userInvert = $state(false)

  // Not state: nothing is drawn from it directly.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly remembered = new Map<string, ActiveWindow | null>()
  private seriesKey: string | null = null
  private pending = true

  constructor(private readonly frame: () => FrameData | null) {}

  /** Another series was selected: its first frame gets that series' remembered window, or the file's. */
  enterSeries(key: string | null): void {
    this.seriesKey = key
    this.pending = true
  }

  /** A frame is about to show (`prev` was on screen before). */
  onFrame(prev: FrameData | null, data: FrameData): void {
    const kindChanged = prev && prev.samplesPerPixel !== data.samplesPerPixel
    if (this.pending) {
      const kept = this.seriesKey !== null ? this.remembered.get(this.seriesKey) : undefined
      this.window = kept && data.samplesPerPixel === 1 ? kept : defaultWindow(data)
      this.pending = false
    } else if (kindChanged || (!this.window && data.samplesPerPixel === 1)) {
      this.window = defaultWindow(data)
    }
  }

  /** Right-drag: horizontal changes width, vertical changes level (centre), scaled to the frame's value range. */
  drag(dx: number, dy: number): void {
    const f = this.frame()
    if (!f) return
    // Dragging away from a VOI LUT starts from the value range the LUT covers, as a linear window.
    const base = this.window ?? { center: 127.5, width: 256, fn: 'LINEAR' as const, label: '' }
    const range = Math.max(f.max - f.min, f.integer ? 1 : 1e-6)
    const k = Math.max(range / 1024, f.integer ? 0.25 : range / 4096)
    const minWidth = f.integer ? 1 : range / 1e4
    this.set({
      center: base.center + dy * k,
      width: Math.max(minWidth, base.width + dx * k),
      fn: base.fn,
      label: 'Manual'
    })
  }

  applyPreset(id: WindowPresetId): void {
    const f = this.frame()
    const p = WINDOW_PRESETS.find((x) => x.id === id)
    if (!f || !p || f.samplesPerPixel === 3) return
    const fn = f.voiLutFunction
    switch (p.kind) {
      case 'file':
        this.set(defaultWindow(f))
        return
      case 'lut':
        if (f.voiLuts?.length) this.set(lutWindow(f))
        return
      case 'ct':
        this.set({ center: p.center!, width: p.width!, fn, label: p.label })
        return
      case 'range':
        this.set(spanWindow(f.min, f.max, fn, p.label, f.integer))
        return
      case 'percentile': {
        const [lo, hi] = percentileRange(f.modality, f.min, f.max, p.lo!, p.hi!)
        this.set(spanWindow(lo, hi, fn, p.label, f.integer))
        return
      }
    }
  }

  /** Window `i` stored in the file (0028,1050)/(0028,1051); the first is the default. */
  useFileWindow(i: number): void {
    const f = this.frame()
    const w = f?.windows[i]
    if (!w || !f) return
    this.set({ center: w.center, width: w.width, fn: f.voiLutFunction, label: w.explanation || `File ${i + 1}` })
  }

  /** Index of the file window in use, or -1. */
  get fileWindowIndex(): number {
    const w = this.window
    const f = this.frame()
    if (!w || !f) return -1
    return f.windows.findIndex((x) => x.center === w.center && x.width === w.width)
  }

  nextFileWindow(): void {
    const n = this.frame()?.windows.length ?? 0
    if (n) this.useFileWindow((this.fileWindowIndex + 1) % n)
  }

  reset(): void {
    const f = this.frame()
    if (f) this.set(defaultWindow(f))
  }

  toggleInvert(): void {
    this.userInvert = !this.userInvert
  }

  /** Sets the window and remembers it for the series on screen. */
  private set(w: ActiveWindow | null): void {
    this.window = w
    if (this.seriesKey === null) return
    this.remembered.delete(this.seriesKey)
    this.remembered.set(this.seriesKey, w)
    if (this.remembered.size > REMEMBERED_SERIES) this.remembered.delete(this.remembered.keys().next().value as string)
  }
}

/**
 * The default display of grey images: the file's VOI LUT Sequence (0028,3010) when it has one, else its first
 * window (main derives one from the pixels when absent); colour shows as stored.
 */
export function defaultWindow(f: FrameData): ActiveWindow | null {
  if (f.samplesPerPixel === 3) return null
  if (f.voiLuts?.length) return lutWindow(f)
  const w = f.windows[0] ?? { center: (f.min + f.max) / 2, width: Math.max(f.max - f.min, 1) }
  return { center: w.center, width: w.width, fn: f.voiLutFunction, label: w.explanation || 'File' }
}

/** The frame's first VOI LUT; center/width span its input range, where a window/level drag starts from. */
function lutWindow(f: FrameData): ActiveWindow {
  const lut = f.voiLuts![0]
  return { ...voiLutSpan(lut), fn: 'LINEAR', lut, label: lut.explanation || 'VOI LUT' }
}

/** A window spanning lo..hi; integer images keep whole-number centres and widths. */
function spanWindow(lo: number, hi: number, fn: ActiveWindow['fn'], label: string, integer: boolean): ActiveWindow {
  const width = Math.max(hi - lo, integer ? 1 : 1e-6)
  const center = (lo + hi) / 2
  return integer
    ? { center: Math.round(center * 2) / 2, width: Math.max(1, Math.round(width)), fn, label }
    : { center, width, fn, label }
}
