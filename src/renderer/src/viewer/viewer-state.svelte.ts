import type {
  FrameData,
  ImageProblem,
  OpenResult,
  SeriesGroup,
  ViewerPlane,
  VolumeInfo
} from '../../../shared/contract/imaging'
import { api } from '../lib/api'
import { FrameStore } from './frame-store'
import { readPixel, type PixelReadout } from './pixel-readout'
import { presetsFor, type WindowPreset } from './presets'
import { performAction } from './perform-action'
import type { ViewerAction } from './shortcuts'
import { sliceLocations } from './slice-geometry'
import { buildStack, type StackItem } from './stack'
import { CineState } from './state/cine.svelte'
import { CompareState } from './state/compare.svelte'
import { MeasureState } from './state/measure.svelte'
import { OpenerState } from './state/opener.svelte'
import { ViewerPrefs } from './state/prefs.svelte'
import { TagPanelState } from './state/tag-panel.svelte'
import { ViewTransformState } from './state/view-transform.svelte'
import { SegOverlayState } from './state/seg-overlay.svelte'
import { WindowLevelState } from './state/window-level.svelte'
import { WheelSteps } from './wheel-steps'

export type { ActiveWindow } from './state/window-level.svelte'
export type { PixelReadout } from './pixel-readout'

/** How many slices ahead cine and scrolling request before they are shown. */
const PREFETCH_AHEAD = 6

function errorProblem(err: unknown): ImageProblem {
  const e = err as { code?: unknown; message?: unknown }
  return { code: typeof e?.code === 'string' ? e.code : 'INTERNAL', message: String(e?.message ?? err) }
}

/**
 * The viewer: which series and slice is on screen and its pixels (navigation lives here), composed with one
 * state object per concern: `opener` (paths, uploads, errors), `wl` (window/level, per series), `transform`
 * (zoom/pan), `cine`, `tags` and `prefs`. One instance (`viewerState`) lives for the whole session, so other
 * views can call `viewerState.open(path)` and the viewer keeps its place when the user switches views.
 *
 * To add a way of turning a series into slider positions (e.g. volume planes), change `stack`: everything
 * else reads positions from it.
 */
export class ViewerState {
  seriesKey = $state<string | null>(null)
  /** Position in `stack`, 0-based. */
  index = $state(0)
  frame = $state.raw<FrameData | null>(null)
  /** Why the current position shows no image. */
  problem = $state.raw<ImageProblem | null>(null)
  loadingFrame = $state(false)
  hover = $state.raw<PixelReadout | null>(null)
  showHelp = $state(false)
  /** The plane volumes are shown along (other images ignore it). */
  plane = $state<ViewerPlane>('axial')

  readonly opener = new OpenerState((res) => this.onOpened(res))
  readonly wl = new WindowLevelState(() => this.frame)
  readonly transform = new ViewTransformState(() => this.frame)
  readonly cine = new CineState(() => this.advance())
  readonly tags = new TagPanelState((path) => api.imaging.getTags({ path }))
  readonly prefs = new ViewerPrefs()
  readonly measure = new MeasureState()
  /** The DICOM SEG overlay on the series on screen, when a SEG among the opened files references it. */
  readonly seg = new SegOverlayState(
    (seg, image, frame) => api.imaging.getSegmentation({ seg, image, frame }),
    () => this.group,
    () => this.current
  )
  /** Compare mode: a second series of the study beside this one (the right viewport), through the one frame cache. */
  readonly compare = new CompareState(this, (path, frame, plane) => this.store.get(path, frame, plane))

  readonly opened: OpenResult | null = $derived(this.opener.opened)
  readonly series: SeriesGroup[] = $derived(this.opened?.series ?? [])
  readonly group: SeriesGroup | null = $derived(this.series.find((s) => s.key === this.seriesKey) ?? null)
  readonly stack: StackItem[] = $derived(buildStack(this.group, this.plane))
  readonly current: StackItem | null = $derived(this.stack[this.index] ?? null)
  /** The volume on screen, when it is one (the plane selector shows then). */
  readonly volume: VolumeInfo | null = $derived(this.current?.entry.volume ?? null)
  /** Slice locations (mm along the normal) of the selected series, by path; null without positions. */
  readonly locations: Map<string, number> | null = $derived(sliceLocations(this.group))
  /** Window presets for the image on screen: CT presets only when the modality is CT or the values are HU. */
  readonly presets: readonly WindowPreset[] = $derived(
    presetsFor(
      this.current?.entry.modality,
      // The frame on screen may still be the previous series' while this one loads.
      this.frame && this.frame.path === this.current?.entry.path ? this.frame.units : '',
      !!this.frame?.voiLuts?.length
    )
  )
  /** Whether the display inverts: MONOCHROME1 XOR the user's toggle. */
  readonly inverted: boolean = $derived((this.frame?.invert ?? false) !== this.wl.userInvert)

  private readonly store = new FrameStore((path, frame, plane) =>
    api.imaging.getFrame(plane ? { path, frame, plane } : { path, frame })
  )
  private loadToken = 0
  private readonly wheelSteps = new WheelSteps()

  /**
   * Opens a file or folder given by another view (e.g. a dataset item) and shows `frame` (0-based) of it.
   * The path must be one main has granted, or is granted by this call (typed or picked by the user).
   */
  async open(path: string, frame = 0): Promise<void> {
    this.opener.pathInput = path
    await this.openPaths([path])
    const at = this.stack.findIndex((s) => s.entry.path === this.opened?.roots[0] && s.frame === frame)
    if (at > 0) this.go(at)
  }

  /** Grants and lists `paths`, then shows the first slice of the first readable series. */
  async openPaths(paths: string[]): Promise<void> {
    this.stopCine()
    await this.opener.openPaths(paths)
  }

  private onOpened(res: OpenResult): void {
    this.store.clear()
    const first = res.series.find((s) => s.entries.some((e) => !e.problem)) ?? res.series[0]
    this.selectSeries(first?.key ?? null)
  }

  selectSeries(key: string | null): void {
    this.stopCine()
    this.seriesKey = key
    this.index = 0
    this.wl.enterSeries(key)
    this.transform.mode = 'fit'
    void this.loadCurrent()
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
    void this.loadCurrent()
  }

  step(by: number): void {
    this.go(this.index + by)
  }

  /** Shows volumes along `plane`, at the same relative depth (the middle slice stays the middle slice). */
  setPlane(plane: ViewerPlane): void {
    if (plane === this.plane) return
    const before = this.stack.length
    const at = before > 1 ? this.index / (before - 1) : 0
    this.stopCine()
    this.plane = plane
    this.transform.mode = 'fit'
    this.index = Math.round(at * Math.max(0, this.stack.length - 1))
    void this.loadCurrent()
  }

  stopCine(): void {
    this.cine.stop()
  }

  /**
   * Mouse wheel over the image (`dy` CSS pixels, + = down/towards the user). Without Ctrl it scrolls slices
   * (or zooms, when the preference keeps the old behaviour); with Ctrl it does the other.
   */
  wheel(dy: number, ctrl: boolean, cx: number, cy: number, zoomStep: number): void {
    const zoom = ctrl !== (this.prefs.wheel === 'zoom')
    if (zoom) {
      this.transform.zoom(dy < 0 ? zoomStep : 1 / zoomStep, cx, cy)
      return
    }
    const steps = this.wheelSteps.add(dy)
    if (steps === 0) return
    this.stopCine()
    this.step(steps)
  }

  /** One cine tick: the next position (wrapping), resolved once shown. */
  private advance(): Promise<void> {
    if (this.stack.length === 0) return Promise.resolve()
    this.index = (this.index + 1) % this.stack.length
    return this.loadCurrent()
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
      this.tags.refresh(item.entry.path)
      return Promise.resolve()
    }
    const cached = this.store.peek(item.entry.path, item.frame, item.plane)
    if (cached) {
      this.showFrame(cached)
      this.prefetchAround()
      return Promise.resolve()
    }
    this.loadingFrame = true
    // Prefetching starts once this frame is here, so neighbours never delay the one the user asked for.
    return this.store.get(item.entry.path, item.frame, item.plane).then(
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
        this.tags.refresh(item.entry.path)
      }
    )
  }

  private showFrame(data: FrameData): void {
    const prev = this.frame
    this.problem = null
    this.wl.onFrame(prev, data)
    this.transform.onFrame(prev, data)
    this.frame = data
    this.tags.refresh(this.current?.entry.path ?? null)
    this.seg.follow()
  }

  private prefetchAround(): void {
    const items: { path: string; frame: number; plane?: ViewerPlane }[] = []
    const n = this.stack.length
    for (let k = 1; k <= PREFETCH_AHEAD && k < n; k++) {
      const it = this.stack[(this.index + k) % n]
      if (!it.entry.problem) items.push({ path: it.entry.path, frame: it.frame, plane: it.plane })
    }
    this.store.prefetch(items)
  }

  /** The middle readable frame of series `g`, for its thumbnail in the list (through the one frame cache). */
  thumbnail(g: SeriesGroup): Promise<FrameData | null> {
    const ok = g.entries.filter((e) => !e.problem)
    const e = ok[Math.floor(ok.length / 2)]
    if (!e) return Promise.resolve(null)
    return this.store.get(e.path, Math.floor(Math.max(1, e.frames) / 2), e.volume ? 'axial' : undefined)
  }

  /** Pixel readout for image pixel (x, y), or clears it. */
  setHover(p: { x: number; y: number } | null): void {
    this.hover = p && this.frame ? readPixel(this.frame, p) : null
  }

  /** Called by the viewport after it drew a frame. */
  notePainted(): void {
    if (this.frame) this.opener.notePainted()
  }

  /** Runs a keyboard or toolbar action; returns false when it did not apply. */
  perform(a: ViewerAction): boolean {
    return performAction(this, a)
  }
}

/** The viewer's state for the whole session; other views open images with `viewerState.open(path, frame)`. */
export const viewerState = new ViewerState()
