import type { SegmentationRef, SegmentationSlice, SeriesGroup } from '../../../../shared/contract/imaging'
import type { StackItem } from '../stack'

/** Slices of masks kept, so scrolling back and forth does not ask main again. */
const KEPT_SLICES = 64

/**
 * The DICOM SEG overlay of the series on screen: which SEG (of those main linked to the series) is drawn, whether
 * it shows, and its masks on the slice on screen. Masks are fetched per slice as the viewer moves; answers for a
 * slice the user has left are dropped.
 */
export class SegOverlayState {
  /** Whether the overlay is drawn (the user's toggle, kept across series). */
  visible = $state(true)
  /** Opacity of the filled masks, 0..1. */
  opacity = $state(0.45)
  /** The SEG chosen for the series on screen (path), or null when the series has none. */
  chosen = $state<string | null>(null)
  /** The masks on the slice on screen, when fetched. */
  slice = $state.raw<SegmentationSlice | null>(null)
  /** Why the masks of this slice could not be shown, or ''. */
  error = $state('')

  // Not state: nothing is drawn from it directly.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly kept = new Map<string, SegmentationSlice>()
  private token = 0

  constructor(
    private readonly fetch: (seg: string, image: string, frame: number) => Promise<SegmentationSlice>,
    private readonly group: () => SeriesGroup | null,
    private readonly current: () => StackItem | null
  ) {}

  /** SEGs that label the series on screen. */
  get available(): SegmentationRef[] {
    return this.group()?.segmentations ?? []
  }

  /** The chosen SEG's description. */
  get ref(): SegmentationRef | null {
    return this.available.find((s) => s.path === this.chosen) ?? null
  }

  /** The slice on screen changed (or the series): fetch its masks when the overlay shows. */
  follow(): void {
    const segs = this.available
    if (!segs.some((s) => s.path === this.chosen)) this.chosen = segs[0]?.path ?? null
    const item = this.current()
    const token = ++this.token
    this.error = ''
    if (!this.chosen || !item || !this.visible || item.plane) {
      this.slice = null
      return
    }
    const key = `${this.chosen}\u0000${item.entry.path}\u0000${item.frame}`
    const hit = this.kept.get(key)
    if (hit) {
      this.slice = hit
      return
    }
    this.fetch(this.chosen, item.entry.path, item.frame).then(
      (s) => {
        this.kept.set(key, s)
        if (this.kept.size > KEPT_SLICES) this.kept.delete(this.kept.keys().next().value as string)
        if (token === this.token) this.slice = s
      },
      (err: unknown) => {
        if (token !== this.token) return
        this.slice = null
        this.error = String((err as { message?: unknown })?.message ?? err)
      }
    )
  }

  toggle(): void {
    this.visible = !this.visible
    this.follow()
  }

  choose(path: string): void {
    this.chosen = path
    this.follow()
  }

  setOpacity(v: number): void {
    this.opacity = Math.min(1, Math.max(0.05, v))
  }
}
