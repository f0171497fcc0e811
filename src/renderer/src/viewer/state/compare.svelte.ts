import type { FrameData, ImageProblem, SeriesGroup, ViewerPlane } from '../../../../shared/contract/imaging'
import {
  areParallel,
  nearestSlice,
  planeCentre,
  planeNormal,
  referenceLine,
  slicePlaneOf,
  type ReferenceLine,
  type SlicePlane
} from '../../../../shared/display/reference-line'
import { buildStack, type StackItem } from '../stack'
import { WheelSteps } from '../wheel-steps'
import { ViewTransformState } from './view-transform.svelte'
import { WindowLevelState } from './window-level.svelte'

/**
 * How the two viewports scroll together: 'position' moves the other to the slice nearest in patient space,
 * 'index' to the same slice number, 'off' unlinks them.
 */
export type SyncMode = 'position' | 'index' | 'off'

/** What compare mode reads from the main viewer (the left viewport). */
export interface ComparePrimary {
  readonly series: SeriesGroup[]
  readonly group: SeriesGroup | null
  readonly stack: StackItem[]
  readonly index: number
  go(i: number): void
}

/**
 * The slice plane of each stack position, from the entry's Image Plane module; null where unknown (PNG/JPEG,
 * volumes, and frames of multi-frame files, whose per-frame positions the list does not carry).
 */
function planesOf(stack: readonly StackItem[]): (SlicePlane | null)[] {
  return stack.map(({ entry }) =>
    entry.frames > 1 || entry.volume || entry.problem
      ? null
      : slicePlaneOf({ ...entry, rows: entry.height, columns: entry.width })
  )
}

/**
 * Slices whose normals differ by more than this (cosine of 30°) cross rather than stack: scrolling one says
 * nothing about where the other should be, so position sync leaves it alone and the reference line shows it.
 */
const STACKED_COS = Math.cos(Math.PI / 6)

/**
 * Index of the position in `planes` nearest `from`'s centre, or -1 when no position has a plane or the
 * series cross (see STACKED_COS).
 */
function nearestPosition(planes: readonly (SlicePlane | null)[], from: SlicePlane): number {
  const known = planes.flatMap((p, i) => (p ? [{ p, i }] : []))
  const n1 = planeNormal(from)
  const n2 = known.length ? planeNormal(known[0].p) : null
  if (!n2 || Math.abs(n1[0] * n2[0] + n1[1] * n2[1] + n1[2] * n2[2]) < STACKED_COS) return -1
  const k = nearestSlice(
    known.map((x) => x.p),
    planeCentre(from)
  )
  return k < 0 ? -1 : known[k].i
}

/**
 * Compare mode: a second series of the open study in a second viewport (the right one), with its own slice,
 * window/level and zoom/pan, synced scrolling and the reference lines of each viewport's slice on the other.
 * Frames come through the viewer's one frame cache (`getFrame`).
 */
export class CompareState {
  // Set by the constructor; the derived values below read them lazily.
  private readonly primary: ComparePrimary
  private readonly getFrame: (path: string, frame: number, plane?: ViewerPlane) => Promise<FrameData>

  active = $state(false)
  otherKey = $state<string | null>(null)
  /** Position in `stack`, 0-based. */
  index = $state(0)
  frame = $state.raw<FrameData | null>(null)
  problem = $state.raw<ImageProblem | null>(null)
  sync = $state<SyncMode>('position')

  readonly wl = new WindowLevelState(() => this.frame)
  readonly transform = new ViewTransformState(() => this.frame)

  /** Other series of the primary's study (same Study Instance UID (0020,000D)) that have images. */
  readonly candidates: SeriesGroup[] = $derived.by(() => {
    const g = this.primary.group
    if (!g?.studyInstanceUid) return []
    return this.primary.series.filter(
      (s) => s.key !== g.key && s.studyInstanceUid === g.studyInstanceUid && s.entries.some((e) => !e.problem)
    )
  })
  readonly other: SeriesGroup | null = $derived(this.candidates.find((s) => s.key === this.otherKey) ?? null)
  readonly stack: StackItem[] = $derived(buildStack(this.other))
  /** Both series carry the same Frame of Reference UID (0020,0052): their patient coordinates agree. */
  readonly sameFrame: boolean = $derived.by(
    () =>
      !!this.other?.frameOfReferenceUid && this.other.frameOfReferenceUid === this.primary.group?.frameOfReferenceUid
  )
  private readonly primaryPlanes = $derived.by(() => planesOf(this.primary.stack))
  private readonly otherPlanes = $derived(planesOf(this.stack))
  private readonly primaryPlane: SlicePlane | null = $derived.by(() =>
    this.sameFrame ? (this.primaryPlanes[this.primary.index] ?? null) : null
  )
  private readonly otherPlane: SlicePlane | null = $derived(
    this.sameFrame ? (this.otherPlanes[this.index] ?? null) : null
  )
  /** The right viewport's slice drawn on the left one, in the left image's coordinates; null when unknown. */
  readonly lineOnPrimary: ReferenceLine | null = $derived(
    this.active && this.primaryPlane && this.otherPlane ? referenceLine(this.primaryPlane, this.otherPlane) : null
  )
  /** The left viewport's slice drawn on the right one. */
  readonly lineOnOther: ReferenceLine | null = $derived(
    this.active && this.primaryPlane && this.otherPlane ? referenceLine(this.otherPlane, this.primaryPlane) : null
  )
  /** Whether position sync can work: same frame of reference and slice planes on both sides. */
  readonly canSyncByPosition: boolean = $derived(
    this.sameFrame && this.primaryPlanes.some((p) => p) && this.otherPlanes.some((p) => p)
  )
  /** What the compare bar says about geometry and sync, or '' when all is as expected. */
  readonly note: string = $derived.by(() => {
    if (!this.other || !this.primary.group) return ''
    if (!this.sameFrame)
      return 'Different frame of reference (0020,0052): no reference lines; scrolling can only follow slice numbers'
    if (!this.canSyncByPosition)
      return 'No slice geometry (Image Position/Orientation, Pixel Spacing): scrolling can only follow slice numbers'
    if (this.primaryPlane && this.otherPlane && nearestPosition([this.otherPlane], this.primaryPlane) < 0)
      return 'Planes cross: scrolling one does not move the other; the reference lines show where each slice cuts'
    if (this.primaryPlane && this.otherPlane && !areParallel(this.primaryPlane, this.otherPlane))
      return 'Planes are oblique to each other: synced scrolling goes to the slice nearest the image centre'
    return ''
  })

  private loadToken = 0
  private readonly wheelSteps = new WheelSteps()
  /** Primary index that this pane just asked for, so following it back does not bounce. */
  private drivenPrimary: number | null = null

  constructor(primary: ComparePrimary, getFrame: CompareState['getFrame']) {
    this.primary = primary
    this.getFrame = getFrame
  }

  /** Turns compare mode on (picking the first candidate when none is chosen) or off. */
  toggle(): void {
    if (this.active) {
      this.active = false
      return
    }
    this.active = true
    if (!this.other) this.choose(this.candidates[0]?.key ?? null)
  }

  /** Shows series `key` in the right viewport, at the slice that matches the left one. */
  choose(key: string | null): void {
    this.otherKey = key
    this.wl.enterSeries(key)
    this.transform.mode = 'fit'
    this.frame = null
    this.problem = null
    this.index = 0
    this.sync = this.canSyncByPosition ? 'position' : this.other ? 'index' : 'off'
    // Crossing series have no matching slice: start in the middle, where the reference line usually is.
    if (!this.followPrimary()) {
      this.index = Math.floor(this.stack.length / 2)
      void this.load()
    }
  }

  /** Sets how scrolling is linked; 'position' needs slice geometry in one frame of reference. */
  setSync(mode: SyncMode): void {
    this.sync = mode === 'position' && !this.canSyncByPosition ? 'index' : mode
    if (this.sync !== 'off') this.followPrimary()
  }

  /** Cycles the sync mode: linked (position, or slice number when geometry is missing) → unlinked → linked. */
  toggleSync(): void {
    this.setSync(this.sync !== 'off' ? 'off' : 'position')
  }

  /**
   * The left viewport moved: moves this one to match. Returns true when it changed slice. A move this pane
   * caused itself (see `go`) is not followed back.
   */
  followPrimary(): boolean {
    if (this.drivenPrimary !== null) {
      const driven = this.drivenPrimary === this.primary.index
      this.drivenPrimary = null
      if (driven) return false
    }
    if (!this.active || !this.other || this.sync === 'off') return false
    const target = this.match(this.primary.index, this.primaryPlanes, this.otherPlanes, this.stack.length)
    if (target < 0 || (target === this.index && (this.frame || this.problem))) return false
    this.index = target
    void this.load()
    return true
  }

  /** The user scrolled this viewport to position `i`: shows it and moves the left viewport to match. */
  go(i: number): void {
    const n = this.stack.length
    if (n === 0) return
    const next = Math.max(0, Math.min(n - 1, Math.round(i)))
    if (next === this.index && (this.frame || this.problem)) return
    this.index = next
    void this.load()
    if (this.sync === 'off') return
    const target = this.match(next, this.otherPlanes, this.primaryPlanes, this.primary.stack.length)
    if (target >= 0 && target !== this.primary.index) {
      this.drivenPrimary = target
      this.primary.go(target)
    }
  }

  /** Mouse wheel over the right viewport (`dy` CSS pixels): zooms at (cx, cy) when `zoom`, else scrolls slices. */
  wheel(dy: number, zoom: boolean, cx: number, cy: number, zoomStep: number): void {
    if (zoom) {
      this.transform.zoom(dy < 0 ? zoomStep : 1 / zoomStep, cx, cy)
      return
    }
    const steps = this.wheelSteps.add(dy)
    if (steps !== 0) this.go(this.index + steps)
  }

  /** Position in the other stack (length `n`) matching position `i` of `from`, per the sync mode; -1 for none. */
  private match(i: number, from: (SlicePlane | null)[], to: (SlicePlane | null)[], n: number): number {
    if (n === 0) return -1
    if (this.sync === 'position' && this.canSyncByPosition) {
      const plane = from[i]
      return plane ? nearestPosition(to, plane) : -1
    }
    return Math.min(i, n - 1)
  }

  private load(): Promise<void> {
    const item = this.stack[this.index]
    const token = ++this.loadToken
    if (!item) return Promise.resolve()
    if (item.entry.problem) {
      this.frame = null
      this.problem = item.entry.problem
      return Promise.resolve()
    }
    return this.getFrame(item.entry.path, item.frame, item.plane).then(
      (data) => {
        if (token !== this.loadToken) return
        const prev = this.frame
        this.problem = null
        this.wl.onFrame(prev, data)
        this.transform.onFrame(prev, data)
        this.frame = data
      },
      (err: { code?: string; message?: string }) => {
        if (token !== this.loadToken) return
        this.frame = null
        this.problem = { code: err?.code ?? 'INTERNAL', message: String(err?.message ?? err) }
      }
    )
  }
}
