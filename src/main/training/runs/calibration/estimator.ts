import type { BackboneCheck, TrainingConfig, TrainingEstimate } from '../../../../shared/contract'
import { AppError } from '../../../../shared/errors'
import type { Catalog } from '../../../catalog/open-catalog'
import type { SettingsStore } from '../../../catalog/settings'
import { engineBackend } from '../../../compute/engine-backend'
import { listClasses, listItems, readVersion } from '../../../datasets'
import type { EngineConfig } from '../../../engine/engine-config'
import { runInEngine } from '../../../engine/engine-host'
import { CalibrationCache, calibrationKeys, type CachedPart } from './cache'
import { estimateTraining, stage1Mode } from './estimate'
import {
  calibrateJob,
  type CalibrateBackbone,
  type CalibrateJob,
  type CalibrateResult,
  type MeasureRequest,
  type MeasureResult
} from './job'

/** Images embedded for the embedding speed: enough for every worker to run a few batches. */
const SAMPLE_IMAGES = 16

type Parts = {
  embed: CachedPart<NonNullable<MeasureResult['embed']>> | null
  head: CachedPart<NonNullable<MeasureResult['head']>> | null
  stage2: CachedPart<NonNullable<MeasureResult['stage2']>> | null
}

/** What the data of an estimate looks like: split sizes, classes and a few training images to time decoding on. */
interface DataShape {
  images: { train: number; val: number; test: number }
  numClasses: number
  samplePaths: string[]
}

/**
 * Host side of `training.estimate` and `training.checkBackbone`: reads the dataset's split sizes, takes the
 * speeds it needs from the calibration cache, measures the missing ones in one engine process, and turns
 * them into an estimate. Calibrations run one at a time, so two quick requests never start two engines.
 */
export class Estimator {
  private readonly cache: CalibrationCache
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly db: Catalog,
    settings: SettingsStore,
    private readonly engine: EngineConfig,
    /** Runs training in this app right now: measurements then run slower and are not cached. */
    private readonly busyRuns: () => number[]
  ) {
    this.cache = new CalibrationCache(settings)
  }

  private dataShape(datasetId: number, versionId: number | undefined): DataShape {
    if (versionId !== undefined) {
      const { version, items } = readVersion(this.db, versionId)
      if (version.datasetId !== datasetId)
        throw new AppError('INVALID_ARGUMENT', `version ${versionId} belongs to another dataset`)
      const sum = (s: 'train' | 'val' | 'test') => Object.values(version.counts[s] ?? {}).reduce((a, b) => a + b, 0)
      return {
        images: { train: sum('train'), val: sum('val'), test: sum('test') },
        numClasses: version.classes.length,
        samplePaths: items
          .filter((i) => i.split === 'train')
          .slice(0, SAMPLE_IMAGES)
          .map((i) => i.path)
      }
    }
    const classes = listClasses(this.db, datasetId).filter((c) => c.total > 0)
    const sum = (s: 'train' | 'val' | 'test') => classes.reduce((a, c) => a + c.splits[s], 0)
    const page = listItems(this.db, {
      datasetId,
      split: 'train',
      flag: 'included',
      orderBy: 'id',
      desc: false,
      offset: 0,
      limit: SAMPLE_IMAGES
    })
    return {
      images: { train: sum('train'), val: sum('val'), test: sum('test') },
      numClasses: classes.length,
      samplePaths: page.items.map((i) => i.path)
    }
  }

  /** Runs a calibrate job after any running one; also says how long its engine took to start, seconds. */
  private async runJob(job: CalibrateJob): Promise<CalibrateResult & { engineStartSeconds: number }> {
    const run = this.queue.then(async () => {
      const t0 = performance.now()
      let ready = t0
      const onReady = () => void (ready = performance.now())
      const res = await runInEngine({
        ...this.engine,
        job: calibrateJob,
        params: job,
        onEvent: () => undefined,
        onReady
      })
      return { ...res, engineStartSeconds: (ready - t0) / 1000 }
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  /** Loads the backbone in an engine process and describes it. */
  async checkBackbone(choice: CalibrateBackbone): Promise<BackboneCheck> {
    const res = await this.runJob({ kind: 'calibrate', backbone: choice, check: true, measure: null })
    if (!res.check) throw new AppError('INTERNAL', `backbone ${choice.kind}: the engine returned no description`)
    return res.check
  }

  /** The estimate for training `config` on the dataset (version), measuring what the cache lacks. */
  async estimate(datasetId: number, versionId: number | undefined, config: TrainingConfig): Promise<TrainingEstimate> {
    if (config.backbone.kind === 'onnx-encoder')
      throw new AppError(
        'UNSUPPORTED',
        "no time estimate for an ONNX encoder: the calibration measures MobileNetV2; the encoder's Check reports its img/s"
      )
    const backbone = { kind: config.backbone.kind, path: config.backbone.path }
    const data = this.dataShape(datasetId, versionId)
    if (data.numClasses < 2)
      throw new AppError(
        'INVALID_ARGUMENT',
        `dataset ${datasetId} needs at least 2 classes with images to estimate a run`
      )
    // What an engine process selects (a cached probe job): the app process never loads TensorFlow for this.
    const info = await engineBackend(this.engine)
    const native = info.active === 'node' || info.active === 'node-gpu'
    const arch = config.backbone.kind === 'tfjs-dir' ? `tfjs:${config.backbone.path}` : 'mobilenetv2'
    const s1 = config.stage1.enabled && config.stage1.epochs > 0
    const s2 = config.stage2.enabled && config.stage2.epochs > 0
    const embeddings = s1 && stage1Mode(config, native) === 'embeddings'
    const keys = {
      embed: calibrationKeys.embed(info.active, config.inputSize, arch),
      head: calibrationKeys.head(info.active, config.batchSize),
      stage2: calibrationKeys.stage2(info.active, config.inputSize, config.stage2.unfreezeTopLayers, arch)
    }
    const parts: Parts = {
      embed: s1 ? this.cache.get(keys.embed) : null,
      head: embeddings ? this.cache.get(keys.head) : null,
      stage2: s2 ? this.cache.get(keys.stage2) : null
    }
    const request: MeasureRequest = {
      inputSize: config.inputSize,
      samplePaths: data.samplePaths,
      embed: s1 && !parts.embed,
      head:
        embeddings && !parts.head
          ? {
              fc1Units: config.head.fc1Units,
              fc2Units: config.head.fc2Units,
              numClasses: data.numClasses,
              batchSize: config.batchSize
            }
          : null,
      stage2: s2 && !parts.stage2 ? { unfreezeTopLayers: config.stage2.unfreezeTopLayers } : null
    }
    const notes: string[] = []
    let engineStartSeconds = this.cache.get<{ seconds: number }>(calibrationKeys.engine(info.active))?.seconds ?? null
    const fromCache = !request.embed && !request.head && !request.stage2
    if (!fromCache) {
      const busy = this.busyRuns()
      const job = await this.runJob({
        kind: 'calibrate',
        backbone,
        check: false,
        measure: request
      })
      const measure = job.measure
      if (!measure) throw new AppError('INTERNAL', 'the calibration engine returned no measurements')
      const now = new Date().toISOString()
      engineStartSeconds = job.engineStartSeconds
      const fresh: Record<string, object> = { [calibrationKeys.engine(info.active)]: { seconds: engineStartSeconds } }
      if (measure.embed) parts.embed = { ...measure.embed, measuredAt: now }
      if (measure.head) parts.head = { ...measure.head, measuredAt: now }
      if (measure.stage2) parts.stage2 = { ...measure.stage2, measuredAt: now }
      if (measure.embed) fresh[keys.embed] = measure.embed
      if (measure.head) fresh[keys.head] = measure.head
      if (measure.stage2) fresh[keys.stage2] = measure.stage2
      if (busy.length) {
        notes.push(
          `Speeds were measured while run ${busy.join(', ')} was training, so they are low; they were not cached. Estimate again when it has finished.`
        )
      } else this.cache.put(fresh)
    }
    return estimateTraining({
      config,
      images: data.images,
      numClasses: data.numClasses,
      backend: { name: info.active, native, supportsConvTraining: info.supportsConvTraining },
      embed: parts.embed,
      head: parts.head,
      stage2: parts.stage2,
      engineStartSeconds,
      fromCache,
      notes
    })
  }
}
