import type { ImagePrediction, SaliencyMap } from '../../../shared/contract/inference'
import { api } from '../lib/api'
import type { ColormapName } from './colormap'
import { frameKey, indexByFrame } from './table-model'

/** Maps kept in memory, so stepping back and forth through a series does not refetch. */
const CACHE_SIZE = 64

/**
 * The Grad-CAM overlay the viewer draws: which job's results it belongs to, the display settings (visible,
 * opacity, colour map, class) and the map of the frame on screen. One instance for the session
 * (`saliencyState`), so the overlay follows the viewer wherever it is shown.
 */
export class SaliencyState {
  /** The job whose results have overlays, and its classes. */
  jobId = $state<number | null>(null)
  classNames = $state.raw<string[]>([])
  visible = $state(true)
  /** 0..1, applied to the whole overlay. */
  opacity = $state(0.45)
  colormap = $state<ColormapName>('jet')
  /** The class whose evidence is shown; null = each image's predicted class. */
  classIndex = $state<number | null>(null)
  /** The map of the frame on screen, once loaded. */
  map = $state.raw<SaliencyMap | null>(null)
  /** The prediction of the frame on screen, when the job classified it. */
  target = $state.raw<ImagePrediction | null>(null)
  error = $state<string | null>(null)
  loading = $state(false)

  /** Replaced whole (never mutated), so an overlay showing a frame reloads when the job's results change. */
  private byFrame = $state.raw<ReadonlyMap<string, ImagePrediction>>(indexByFrame([]))
  // A cache of fetched maps, not state: nothing is drawn from it directly.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private cache = new Map<string, SaliencyMap>()
  private token = 0

  /** Uses `predictions` of job `jobId` for the overlays from now on. */
  setJob(jobId: number, classNames: string[], predictions: readonly ImagePrediction[]): void {
    if (jobId !== this.jobId) {
      this.cache.clear()
      this.classIndex = null
    }
    this.jobId = jobId
    this.classNames = classNames
    this.byFrame = indexByFrame(predictions)
  }

  /** Forgets the job (its results were deleted). */
  clear(): void {
    this.jobId = null
    this.byFrame = indexByFrame([])
    this.cache.clear()
    this.map = null
    this.target = null
  }

  /**
   * Loads the map of frame `frame` of `path` for the chosen class; clears it when the job did not classify
   * that frame. Late answers (the viewer moved on) are dropped.
   */
  async show(path: string | null, frame: number): Promise<void> {
    const token = ++this.token
    const target = path === null ? null : (this.byFrame.get(frameKey(path, frame)) ?? null)
    this.target = target
    this.error = null
    if (!target) {
      this.map = null
      return
    }
    const cls = this.classIndex ?? target.predictedIndex
    const key = `${target.id}:${cls}`
    const hit = this.cache.get(key)
    if (hit) {
      this.map = hit
      return
    }
    this.loading = true
    try {
      const map = await api.inference.getSaliency({ resultId: target.id, classIndex: cls })
      this.cache.set(key, map)
      if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string)
      if (token === this.token) this.map = map
    } catch (err) {
      if (token === this.token) {
        this.map = null
        this.error = (err as Error).message
      }
    } finally {
      if (token === this.token) this.loading = false
    }
  }
}

/** The overlay state for the whole session. */
export const saliencyState = new SaliencyState()
