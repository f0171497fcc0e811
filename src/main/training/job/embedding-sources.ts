import { augmentValues } from '../augment/augment-batch'
import type { EmbeddingExtractor } from '../backbone/embedding-extractor'
import type { BatchSource } from '../loop/batch-source'
import { createEmbeddingSource } from '../loop/embedding-source'
import { deriveSeed, mulberry32 } from '../loop/random'
import type { PreprocessSpec } from '../preprocess/spec'
import type { EngineRunEvent, JobItem, TrainingJob } from './job'

/** A job's items by split. */
export interface Splits {
  train: JobItem[]
  val: JobItem[]
  test: JobItem[]
}

export const labelsOf = (items: readonly JobItem[]): Int32Array => Int32Array.from(items.map((i) => i.label))

/** Embeddings of train (plus augmented variants), val and test, from the cache where possible. */
export async function embeddingSources(
  extractor: EmbeddingExtractor,
  splits: Splits,
  k: number,
  config: TrainingJob['config'],
  spec: PreprocessSpec,
  emit: (e: EngineRunEvent) => void,
  signal: AbortSignal
): Promise<{ train: BatchSource; val: BatchSource; test: BatchSource | null }> {
  const info = await extractor.start()
  emit({ type: 'log', line: `embeddings: ${info.engine}, ${info.featureDim} features per image` })
  const variants = config.augmentation.enabled ? config.stage1.augmentVariants : 0
  const total = splits.train.length * (1 + variants) + splits.val.length + splits.test.length
  let before = 0
  const progress = (label: string) => (p: { done: number; fromCache: number }) =>
    emit({
      type: 'phase',
      text: `Computing backbone embeddings (${label}; ${p.fromCache} from cache)`,
      progress: (before + p.done) / total
    })
  const run = async (items: JobItem[], label: string, variant = 0) => {
    const r = await extractor.extract(
      items.map((i) => ({ path: i.path, frame: i.frame, plane: i.plane })),
      {
        signal,
        variant,
        onProgress: progress(label),
        augment:
          variant === 0
            ? undefined
            : (input, item) =>
                augmentOne(input, spec.inputSize, config, deriveSeed(config.seed, 'embed-aug', variant, item.path))
      }
    )
    before += items.length
    return r.data
  }
  const trainRows: Float32Array[] = [await run(splits.train, 'train')]
  for (let v = 1; v <= variants; v++) trainRows.push(await run(splits.train, `train, augmented variant ${v}`, v))
  const valRows = await run(splits.val, 'val')
  const testRows = splits.test.length ? await run(splits.test, 'test') : null
  const dim = info.featureDim
  const rows = new Float32Array(trainRows.reduce((n, r) => n + r.length, 0))
  let at = 0
  for (const r of trainRows) {
    rows.set(r, at)
    at += r.length
  }
  const trainLabels = new Int32Array(splits.train.length * (1 + variants))
  for (let v = 0; v <= variants; v++) trainLabels.set(labelsOf(splits.train), v * splits.train.length)
  return {
    train: createEmbeddingSource(rows, dim, trainLabels, k, { batchSize: config.batchSize, shuffle: true }),
    val: createEmbeddingSource(valRows, dim, labelsOf(splits.val), k, { batchSize: config.batchSize, shuffle: false }),
    test: testRows
      ? createEmbeddingSource(testRows, dim, labelsOf(splits.test), k, { batchSize: config.batchSize, shuffle: false })
      : null
  }
}

export async function embedSplit(
  extractor: EmbeddingExtractor,
  items: JobItem[],
  k: number,
  batchSize: number,
  signal: AbortSignal
): Promise<BatchSource> {
  const r = await extractor.extract(
    items.map((i) => ({ path: i.path, frame: i.frame, plane: i.plane })),
    { signal }
  )
  return createEmbeddingSource(r.data, r.dim, labelsOf(items), k, { batchSize, shuffle: false })
}

/** One augmented variant of a preprocessed HWC image, seeded per image and variant. */
function augmentOne(input: Float32Array, size: number, config: TrainingJob['config'], seed: number): Float32Array {
  return augmentValues(input, [1, size, size, 3], config.augmentation, mulberry32(seed))
}
