import type { ClassSummary, DatasetSummary, DatasetVersion } from '../../../shared/contract/datasets'
import type { BackboneCheck, TrainingEstimate } from '../../../shared/contract/training'
import type { OnnxEncoderDeclaration } from '../../../shared/contract/onnx-encoder'
import { ENCODER_STAGE2_REASON, type TrainingConfigInput } from '../../../shared/contract/training-config'
import { api } from '../lib/api'
import { checkConfig, type ConfigCheck } from './config-validation'
import { BUILTIN_PRESETS, parseUserPresets, PRESETS_SETTING, withPreset, type TrainingPreset } from './presets'
import { setAt } from './schema-fields'

/** Class counts per split of what would be trained on. */
export interface ClassBalance {
  name: string
  train: number
  val: number
  test: number
}

/**
 * The Training view's form: dataset and version, the config (edited field by field, validated by the engine's
 * schema on every change), presets, the backbone check and the time estimate. One instance for the session,
 * so a half-filled form survives switching views.
 */
export class TrainingForm {
  datasets = $state.raw<DatasetSummary[]>([])
  datasetId = $state<number | null>(null)
  versions = $state.raw<DatasetVersion[]>([])
  /**
   * null = the current curation (labels, splits and exclusions as they are now), frozen as a new version at
   * launch. A dataset with frozen versions starts on its newest one.
   */
  versionId = $state<number | null>(null)
  classes = $state.raw<ClassSummary[]>([])
  loadError = $state<string | null>(null)

  config = $state.raw<TrainingConfigInput>({})
  name = $state('')
  presetName = $state(BUILTIN_PRESETS[0].name)
  userPresets = $state.raw<TrainingPreset[]>([])

  backboneCheck = $state.raw<BackboneCheck | null>(null)
  backboneError = $state<string | null>(null)
  checkingBackbone = $state(false)

  estimate = $state.raw<TrainingEstimate | null>(null)
  estimateError = $state<string | null>(null)
  estimating = $state(false)
  /** The config + data the shown estimate was made for; a change makes it stale. */
  private estimateFor = $state('')

  launching = $state(false)
  launchError = $state<string | null>(null)

  readonly check: ConfigCheck = $derived(checkConfig(this.config))
  readonly presets: TrainingPreset[] = $derived([...BUILTIN_PRESETS, ...this.userPresets])
  readonly dataset: DatasetSummary | null = $derived(this.datasets.find((d) => d.id === this.datasetId) ?? null)
  readonly estimateStale: boolean = $derived(this.estimate !== null && this.estimateFor !== this.estimateKey())

  /** Class counts of the chosen version, or of the current curation. */
  readonly balance: ClassBalance[] = $derived.by(() => {
    const v = this.versions.find((x) => x.id === this.versionId)
    if (v)
      return v.classes.map((name) => ({
        name,
        train: v.counts.train[name] ?? 0,
        val: v.counts.val[name] ?? 0,
        test: v.counts.test[name] ?? 0
      }))
    return this.classes
      .filter((c) => c.total > 0)
      .map((c) => ({ name: c.name, train: c.splits.train, val: c.splits.val, test: c.splits.test }))
  })

  /** Why launching is not possible now, or null. */
  /**
   * Warnings per form section. Augmentation only acts on images the model sees while training: with stage 1 on
   * cached embeddings, no augmented variants and no stage 2, it is on in the form but changes nothing.
   */
  readonly sectionNotes: Record<string, string> = $derived.by(() => {
    const c = this.check.config
    if (!c) return {}
    const unused =
      c.augmentation.enabled && c.stage1.mode === 'embeddings' && c.stage1.augmentVariants === 0 && !c.stage2.enabled
    const notes: Record<string, string> = {}
    if (c.backbone.kind === 'onnx-encoder') notes.stage2 = `Not available: ${ENCODER_STAGE2_REASON}.`
    if (unused)
      notes.augmentation =
        'Augmentation is off in effect: stage 1 trains on embeddings of the original images (0 augmented variants) and stage 2 is off. Set Augmented variants above 0 to use it.'
    return notes
  })
  readonly blocker: string | null = $derived.by(() => {
    if (this.datasetId === null) return 'Choose a dataset'
    if (this.balance.length < 2) return 'The dataset needs at least 2 classes with images'
    if (!this.balance.some((c) => c.train > 0) || !this.balance.some((c) => c.val > 0))
      return 'Split the dataset (train/val/test) first, in the Datasets view'
    if (!this.check.config) return this.check.errors[''] ?? 'Fix the highlighted fields'
    return null
  })

  private estimateKey(): string {
    return JSON.stringify([this.datasetId, this.versionId, this.check.config])
  }

  async load(): Promise<void> {
    try {
      const [datasets, presets] = await Promise.all([
        api.datasets.list({}),
        api.catalog.getSetting({ key: PRESETS_SETTING })
      ])
      this.datasets = datasets
      this.userPresets = parseUserPresets(presets?.value)
      this.loadError = null
      if (this.datasetId === null && datasets.length > 0) await this.selectDataset(datasets[0].id)
      else if (this.datasetId !== null) await this.selectDataset(this.datasetId)
    } catch (err) {
      this.loadError = (err as Error).message
    }
  }

  async selectDataset(id: number): Promise<void> {
    const changed = this.datasetId !== id
    this.datasetId = id
    if (changed) this.versionId = null
    const [versions, classes] = await Promise.all([
      api.datasets.listVersions({ datasetId: id }),
      api.datasets.listClasses({ datasetId: id })
    ])
    if (this.datasetId !== id) return
    this.versions = versions
    this.classes = classes
    if (changed) this.versionId = newestVersion(versions)?.id ?? null
  }

  set(path: readonly string[], value: unknown): void {
    this.config = setAt(this.config, path, value)
    if (path[0] === 'backbone') {
      this.backboneCheck = null
      this.backboneError = null
    }
  }

  /**
   * Trains on an imported ONNX encoder: the backbone names it by SHA-256 with its resolved declaration, the
   * input size is the encoder's, and stage 2 is off (it fine-tunes MobileNetV2 only; the form says why).
   */
  useEncoder(sha256: string, declaration: OnnxEncoderDeclaration): void {
    let c = setAt(this.config, ['backbone'], { kind: 'onnx-encoder', sha256, declaration })
    c = setAt(c, ['inputSize'], declaration.inputSize)
    c = setAt(c, ['stage2', 'enabled'], false)
    if (c.scaling === '[-1,1]') c = setAt(c, ['scaling'], 'backbone')
    this.config = c
    this.backboneCheck = null
    this.backboneError = null
  }

  applyPreset(name: string): void {
    const p = this.presets.find((x) => x.name === name)
    if (!p) return
    this.presetName = name
    // A preset is a full starting point: fields it does not set go back to the schema's defaults.
    this.config = structuredClone(p.config)
    this.backboneCheck = null
    this.backboneError = null
  }

  async savePreset(name: string): Promise<void> {
    const n = name.trim()
    if (!n) throw new Error('Give the preset a name')
    if (BUILTIN_PRESETS.some((p) => p.name === n)) throw new Error(`"${n}" is a built-in preset; choose another name`)
    const stored = withPreset(this.userPresets, n, this.config)
    await api.catalog.setSetting({ key: PRESETS_SETTING, value: stored as never })
    this.userPresets = parseUserPresets(stored)
    this.presetName = n
  }

  async deletePreset(name: string): Promise<void> {
    const stored = this.userPresets.filter((p) => p.name !== name).map((p) => ({ name: p.name, config: p.config }))
    await api.catalog.setSetting({ key: PRESETS_SETTING, value: stored as never })
    this.userPresets = parseUserPresets(stored)
    if (this.presetName === name) this.presetName = BUILTIN_PRESETS[0].name
  }

  async checkBackbone(): Promise<void> {
    const b = (this.config.backbone ?? { kind: 'nsfwjs' }) as {
      kind: 'nsfwjs' | 'keras-h5' | 'tfjs-dir' | 'random'
      path?: string
    }
    this.checkingBackbone = true
    this.backboneError = null
    this.backboneCheck = null
    try {
      const check = await api.training.checkBackbone({ kind: b.kind ?? 'nsfwjs', path: b.path || undefined })
      // Runs use the copy in the workspace, not the outside path that was checked.
      if (check.importedPath) this.set(['backbone', 'path'], check.importedPath)
      this.backboneCheck = check
    } catch (err) {
      this.backboneError = (err as Error).message
    } finally {
      this.checkingBackbone = false
    }
  }

  async runEstimate(): Promise<void> {
    if (this.datasetId === null || !this.check.config) return
    this.estimating = true
    this.estimateError = null
    const key = this.estimateKey()
    try {
      this.estimate = await api.training.estimate({
        datasetId: this.datasetId,
        versionId: this.versionId ?? undefined,
        config: this.check.config
      })
      this.estimateFor = key
    } catch (err) {
      this.estimateError = (err as Error).message
    } finally {
      this.estimating = false
    }
  }
}

/** The session's one form. */
export const trainingForm = new TrainingForm()

/** The frozen version with the highest number, or null when the dataset has none. */
export function newestVersion(versions: readonly DatasetVersion[]): DatasetVersion | null {
  return versions.reduce<DatasetVersion | null>((best, v) => (!best || v.number > best.number ? v : best), null)
}
