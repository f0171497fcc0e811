import type { FrameData, ImageProblem, OpenResult, SeriesGroup, TagRow } from '../../../shared/contract/imaging'
import { api } from '../lib/api'
import { uploadDroppedFile } from './drop-upload'
import { FrameStore } from './frame-store'
import { DEFAULT_FPS, MAX_FPS, MIN_FPS, WINDOW_PRESETS, type WindowPreset } from './presets'
import type { ViewerAction } from './shortcuts'
import { buildStack, formatValue, type StackItem } from './stack'
import { actualSizeView, fitView, panBy, zoomAt, type ViewTransform } from './view-transform'
import type { WindowParams } from './window-lut'

/** The window/level in use, in modality units, and where it came from (shown in the overlay). */
export interface ActiveWindow extends WindowParams {
  label: string
}

/** Pixel readout under the cursor. */
export interface PixelReadout {
  x: number
  y: number
  /** Value with units, e.g. '-12 HU', or 'R 10 G 20 B 30'. */
  text: string
}

/** How many slices ahead cine and scrolling request before they are shown. */
const PREFETCH_AHEAD = 6

function errorProblem(err: unknown): ImageProblem {
  const e = err as { code?: unknown; message?: unknown }
  return { code: typeof e?.code === 'string' ? e.code : 'INTERNAL', message: String(e?.message ?? err) }
}

/**
 * Everything the viewer shows: what is open, which series and slice, the frame's pixels, window/level,
 * zoom/pan, cine, tags and help. One instance (`viewerState`) lives for the whole session, so other views
 * can call `viewerState.open(path)` and the viewer keeps its place when the user switches views.
 */
export class ViewerState {
  /** Text of the "Open path" field. */
  pathInput = $state('')
  opened = $state.raw<OpenResult | null>(null)
  /** Why the last open failed (refused path, missing file, upload error). */
  openError = $state<string | null>(null)
  opening = $state(false)
  /** Upload progress of dropped files, e.g. 'Uploading scan.dcm 40%'. */
  uploadStatus = $state<string | null>(null)

  seriesKey = $state<string | null>(null)
  /** Position in `stack`, 0-based. */
  index = $state(0)
  frame = $state.raw<FrameData | null>(null)
  /** Why the current position shows no image. */
  problem = $state.raw<ImageProblem | null>(null)
  loadingFrame = $state(false)

  window = $state.raw<ActiveWindow | null>(null)
  /** The user's invert toggle; the display inverts when this differs from MONOCHROME1. */
  userInvert = $state(false)
  view = $state.raw<ViewTransform>({ scale: 1, x: 0, y: 0 })
  /** 'fit' re-fits when the canvas resizes or the image size changes. */
  viewMode = $state<'fit' | 'custom'>('fit')

  playing = $state(false)
  fps = $state(DEFAULT_FPS)
  hover = $state.raw<PixelReadout | null>(null)

  showTags = $state(false)
  tags = $state.raw<TagRow[] | null>(null)
  tagsError = $state<string | null>(null)
  tagQuery = $state('')
  showHelp = $state(false)

  /** Time from starting an open to the first slice on screen, ms (shown, and read by the e2e test). */
  firstPaintMs = $state<number | null>(null)

  readonly series: SeriesGroup[] = $derived(this.opened?.series ?? [])
  readonly group: SeriesGroup | null = $derived(this.series.find((s) => s.key === this.seriesKey) ?? null)
  readonly stack: StackItem[] = $derived(buildStack(this.group))
  readonly current: StackItem | null = $derived(this.stack[this.index] ?? null)
  /** Whether the display inverts: MONOCHROME1 XOR the user's toggle. */
  readonly inverted: boolean = $derived((this.frame?.invert ?? false) !== this.userInvert)

  private readonly store = new FrameStore((path, frame) => api.imaging.getFrame({ path, frame }))
  private canvasW = 0
  private canvasH = 0
  private loadToken = 0
  private tagsPath: string | null = null
  private openStartedAt: number | null = null
  private resetWindow = true
  private cineTimer: ReturnType<typeof setTimeout> | null = null

  /** Opens what the user typed in the path field. */
  async openTyped(): Promise<void> {
    const p = this.pathInput.trim()
    if (!p) {
      this.openError = 'Type the path of a DICOM/PNG/JPEG file or of a folder to open'
      return
    }
    await this.openPaths([p])
  }

  /**
   * Opens a file or folder given by another view (e.g. a dataset item) and shows `frame` (0-based) of it.
   * The path must be one main has granted, or is granted by this call (typed or picked by the user).
   */
  async open(path: string, frame = 0): Promise<void> {
    this.pathInput = path
    await this.openPaths([path])
    const at = this.stack.findIndex((s) => s.entry.path === this.opened?.roots[0] && s.frame === frame)
    if (at > 0) this.go(at)
  }

  /** Grants and lists `paths`, then shows the first slice of the first readable series. */
  async openPaths(paths: string[]): Promise<void> {
    this.stopCine()
    this.opening = true
    this.openError = null
    this.openStartedAt = performance.now()
    this.firstPaintMs = null
    try {
      const res = await api.imaging.openPaths({ paths })
      this.store.clear()
      this.opened = res
      if (res.series.length === 0) {
        this.openError = `No DICOM, PNG or JPEG images found in ${paths.join(', ')}`
        this.openStartedAt = null
      }
      const first = res.series.find((s) => s.entries.some((e) => !e.problem)) ?? res.series[0]
      this.selectSeries(first?.key ?? null)
    } catch (err) {
      this.openError = (err as Error).message
      this.openStartedAt = null
    } finally {
      this.opening = false
    }
  }

  /** Uploads dropped files (browser drops carry no path) and opens them together. */
  async openDropped(files: File[]): Promise<void> {
    if (files.length === 0) return
    this.openError = null
    const paths: string[] = []
    try {
      for (const f of files.slice(0, 64)) {
        paths.push(
          await uploadDroppedFile(f, api.imaging.openBytes, (sent, total) => {
            this.uploadStatus = `Uploading ${f.name} ${Math.floor((sent / total) * 100)}%`
          })
        )
      }
    } catch (err) {
      this.openError = (err as Error).message
    } finally {
      this.uploadStatus = null
    }
    if (paths.length) {
      this.pathInput = paths.length === 1 ? paths[0] : ''
      await this.openPaths(paths)
    }
  }

  selectSeries(key: string | null): void {
    this.stopCine()
    this.seriesKey = key
    this.index = 0
    this.resetWindow = true
    this.viewMode = 'fit'
    this.loadCurrent()
  }

  /** A file clicked in the list: selects its series and shows its first frame. */
  selectEntry(key: string, entryIndex: number): void {
    if (key !== this.seriesKey) this.selectSeries(key)
    const path = this.group?.entries[entryIndex]?.path
    const at = this.stack.findIndex((s) => s.entry.path === path)
    if (at >= 0) {
      this.stopCine()
      this.go(at)
    }
  }

  /** Shows stack position `i` (clamped). */
  go(i: number): void {
    const n = this.stack.length
    if (n === 0) return
    const next = Math.max(0, Math.min(n - 1, Math.round(i)))
    if (next === this.index && (this.frame || this.problem)) return
    this.index = next
    this.loadCurrent()
  }

  step(by: number): void {
    this.go(this.index + by)
  }

  /** Loads the frame at `index`; out-of-date answers (the user moved on) are dropped. */
  private loadCurrent(): Promise<void> {
    const item = this.current
    const token = ++this.loadToken
    if (!item) {
      this.frame = null
      this.problem = null
      return Promise.resolve()
    }
    if (item.entry.problem) {
      this.frame = null
      this.problem = item.entry.problem
      this.refreshTags()
      return Promise.resolve()
    }
    const cached = this.store.peek(item.entry.path, item.frame)
    if (cached) {
      this.showFrame(cached)
      this.prefetchAround()
      return Promise.resolve()
    }
    this.loadingFrame = true
    // Prefetching starts once this frame is here, so neighbours never delay the one the user asked for.
    return this.store.get(item.entry.path, item.frame).then(
      (data) => {
        if (token !== this.loadToken) return
        this.loadingFrame = false
        this.showFrame(data)
        this.prefetchAround()
      },
      (err) => {
        if (token !== this.loadToken) return
        this.loadingFrame = false
        this.frame = null
        this.problem = errorProblem(err)
        this.refreshTags()
      }
    )
  }

  private showFrame(data: FrameData): void {
    const prev = this.frame
    this.problem = null
    this.frame = data
    const kindChanged = prev && prev.samplesPerPixel !== data.samplesPerPixel
    if (this.resetWindow || kindChanged || (!this.window && data.samplesPerPixel === 1)) {
      this.window = this.defaultWindow(data)
      this.resetWindow = false
    }
    if (this.viewMode === 'fit' || !prev || prev.width !== data.width || prev.height !== data.height) this.fit()
    this.refreshTags()
  }

  private prefetchAround(): void {
    const items: { path: string; frame: number }[] = []
    const n = this.stack.length
    for (let k = 1; k <= PREFETCH_AHEAD && k < n; k++) {
      const it = this.stack[(this.index + k) % n]
      if (!it.entry.problem) items.push({ path: it.entry.path, frame: it.frame })
    }
    this.store.prefetch(items)
  }

  /** The file's first window for grey images; colour images show as stored. */
  private defaultWindow(f: FrameData): ActiveWindow | null {
    if (f.samplesPerPixel === 3) return null
    const w = f.windows[0] ?? { center: (f.min + f.max) / 2, width: Math.max(f.max - f.min, 1) }
    return { center: w.center, width: w.width, fn: f.voiLutFunction, label: w.explanation || 'File' }
  }

  // ---- window/level -------------------------------------------------------------------------------------

  /** Right-drag: horizontal changes width, vertical changes level (centre), scaled to the frame's value range. */
  dragWindow(dx: number, dy: number): void {
    const f = this.frame
    if (!f) return
    const base = this.window ?? { center: 127.5, width: 256, fn: 'LINEAR' as const, label: '' }
    const range = Math.max(f.max - f.min, f.integer ? 1 : 1e-6)
    const k = Math.max(range / 1024, f.integer ? 0.25 : range / 4096)
    const minWidth = f.integer ? 1 : range / 1e4
    this.window = {
      center: base.center + dy * k,
      width: Math.max(minWidth, base.width + dx * k),
      fn: base.fn,
      label: 'Manual'
    }
  }

  applyPreset(id: WindowPreset['id']): void {
    const f = this.frame
    if (!f) return
    const p = WINDOW_PRESETS.find((x) => x.id === id)
    if (!p) return
    if (p.center === undefined || p.width === undefined) this.window = this.defaultWindow(f)
    else this.window = { center: p.center, width: p.width, fn: f.voiLutFunction, label: p.label }
  }

  /** Window `i` stored in the file (0028,1050)/(0028,1051); the first is the default. */
  useFileWindow(i: number): void {
    const w = this.frame?.windows[i]
    if (!w || !this.frame) return
    this.window = {
      center: w.center,
      width: w.width,
      fn: this.frame.voiLutFunction,
      label: w.explanation || `File ${i + 1}`
    }
  }

  /** Index of the file window in use, or -1. */
  get fileWindowIndex(): number {
    const w = this.window
    if (!w || !this.frame) return -1
    return this.frame.windows.findIndex((x) => x.center === w.center && x.width === w.width)
  }

  nextFileWindow(): void {
    const n = this.frame?.windows.length ?? 0
    if (n) this.useFileWindow((this.fileWindowIndex + 1) % n)
  }

  resetWindowLevel(): void {
    if (this.frame) this.window = this.defaultWindow(this.frame)
  }

  toggleInvert(): void {
    this.userInvert = !this.userInvert
  }

  // ---- zoom/pan -----------------------------------------------------------------------------------------

  /** The canvas size in canvas pixels, from the viewport's ResizeObserver. */
  setCanvasSize(w: number, h: number): void {
    const dw = w - this.canvasW
    const dh = h - this.canvasH
    this.canvasW = w
    this.canvasH = h
    if (this.viewMode === 'fit') this.fit()
    // Keep what was in the middle in the middle when a panel opens or the window resizes.
    else this.view = panBy(this.view, Math.round(dw / 2), Math.round(dh / 2))
  }

  fit(): void {
    this.viewMode = 'fit'
    const f = this.frame
    if (f) this.view = fitView(f.width, f.height, this.canvasW, this.canvasH)
  }

  actualSize(): void {
    const f = this.frame
    if (!f) return
    this.viewMode = 'custom'
    this.view = actualSizeView(f.width, f.height, this.canvasW, this.canvasH)
  }

  /** Zooms by `factor` around canvas point (cx, cy), the canvas centre by default. */
  zoom(factor: number, cx = this.canvasW / 2, cy = this.canvasH / 2): void {
    this.viewMode = 'custom'
    this.view = zoomAt(this.view, factor, cx, cy)
  }

  pan(dx: number, dy: number): void {
    this.viewMode = 'custom'
    this.view = panBy(this.view, dx, dy)
  }

  /** Pixel readout for image pixel (x, y), or clears it. */
  setHover(p: { x: number; y: number } | null): void {
    const f = this.frame
    if (!p || !f) {
      this.hover = null
      return
    }
    const i = p.y * f.width + p.x
    const text =
      f.samplesPerPixel === 3
        ? `R ${Math.round(f.modality[i * 3])} G ${Math.round(f.modality[i * 3 + 1])} B ${Math.round(f.modality[i * 3 + 2])}`
        : formatValue(f.modality[i], f.units)
    this.hover = { x: p.x, y: p.y, text }
  }

  // ---- cine ---------------------------------------------------------------------------------------------

  setFps(fps: number): void {
    this.fps = Math.max(MIN_FPS, Math.min(MAX_FPS, Math.round(fps) || DEFAULT_FPS))
  }

  toggleCine(): void {
    if (this.playing) this.stopCine()
    else if (this.stack.length > 1) {
      this.playing = true
      this.cineTick()
    }
  }

  stopCine(): void {
    this.playing = false
    if (this.cineTimer) clearTimeout(this.cineTimer)
    this.cineTimer = null
  }

  /** Advances one frame, waits until it is shown, then schedules the next so a slow decode drops the rate, not frames. */
  private cineTick(): void {
    if (!this.playing) return
    const started = performance.now()
    this.index = (this.index + 1) % this.stack.length
    void this.loadCurrent().then(() => {
      if (!this.playing) return
      const wait = Math.max(0, 1000 / this.fps - (performance.now() - started))
      this.cineTimer = setTimeout(() => this.cineTick(), wait)
    })
  }

  // ---- tags, help, keys ---------------------------------------------------------------------------------

  toggleTags(): void {
    this.showTags = !this.showTags
    this.refreshTags()
  }

  /** Loads the tag dump of the current file when the panel is open and the file changed. */
  private refreshTags(): void {
    const path = this.current?.entry.path ?? null
    if (!this.showTags || path === this.tagsPath) return
    this.tagsPath = path
    this.tags = null
    this.tagsError = null
    if (!path) return
    api.imaging.getTags({ path }).then(
      (tags) => {
        if (this.tagsPath === path) this.tags = tags
      },
      (err) => {
        if (this.tagsPath === path) this.tagsError = (err as Error).message
      }
    )
  }

  /**
   * Called by the viewport after it drew a frame; the first paint after an open yields the open-to-first-paint
   * time.
   */
  notePainted(): void {
    if (this.openStartedAt === null || !this.frame) return
    this.firstPaintMs = Math.round(performance.now() - this.openStartedAt)
    this.openStartedAt = null
  }

  /** Runs a keyboard action; returns false when it did not apply. */
  perform(a: ViewerAction): boolean {
    switch (a.kind) {
      case 'step':
        this.stopCine()
        this.step(a.by)
        return true
      case 'first':
        this.go(0)
        return true
      case 'last':
        this.go(this.stack.length - 1)
        return true
      case 'zoom':
        this.zoom(a.factor)
        return true
      case 'fit':
        this.fit()
        return true
      case 'actual-size':
        this.actualSize()
        return true
      case 'invert':
        this.toggleInvert()
        return true
      case 'reset-window':
        this.resetWindowLevel()
        return true
      case 'next-file-window':
        this.nextFileWindow()
        return true
      case 'preset':
        this.applyPreset(a.id)
        return true
      case 'cine':
        this.toggleCine()
        return true
      case 'tags':
        this.toggleTags()
        return true
      case 'help':
        this.showHelp = !this.showHelp
        return true
      case 'close':
        if (!this.showHelp && !this.showTags) return false
        this.showHelp = false
        this.showTags = false
        return true
    }
  }
}

/** The viewer's state for the whole session; other views open images with `viewerState.open(path, frame)`. */
export const viewerState = new ViewerState()
