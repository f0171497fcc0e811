import { UMAP } from 'umap-js'
import { AppError } from '../../../shared/errors'
import type { EmbeddingExtractor } from '../../training/backbone/embedding-extractor'
import { encoderExtractor, loadConfigBackbone } from '../../training/job/run-models'
import { deriveSeed, mulberry32 } from '../../training/loop/random'
import type { EmbeddingMapJob, EmbeddingMapJobEvent, EmbeddingMapJobResult } from './job'
import { cachedExtractor, extractWithProgress } from '../embed-with-progress'
import { pca2 } from './pca'

/** Lets the engine read a cancel message between UMAP epochs (the optimiser itself is synchronous). */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Embeds the job's items with the configuration's backbone (cached embeddings reused, new ones stored for
 * training to reuse), emits their exact PCA, then optimises a UMAP layout from the raw embeddings. Honours
 * `signal` between embedding batches and between UMAP epochs.
 */
export async function runEmbeddingMap(
  job: EmbeddingMapJob,
  emit: (e: EmbeddingMapJobEvent) => void,
  signal: AbortSignal
): Promise<EmbeddingMapJobResult> {
  const started = performance.now()
  const { config, items } = job
  emit({ type: 'phase', text: `Loading the ${config.backbone.kind} backbone`, progress: null })
  // The same backbone and preprocessing as a training run of this configuration, so both share cached embeddings.
  const { extractor, describe, release } = await mapExtractor(job)
  try {
    const emb = await extractWithProgress(extractor, items, emit, signal)
    const n = emb.count
    const t0 = performance.now()
    const p = pca2(emb.data, n, emb.dim)
    const share = (l: number) => (p.totalVariance > 0 ? Math.min(1, l / p.totalVariance) : 0)
    const explained: [number, number] = [share(p.eigenvalues[0]), share(p.eigenvalues[1])]
    const pcaSeconds = (performance.now() - t0) / 1000
    const engine = extractor.info?.engine ?? 'unknown'
    emit({
      type: 'pca',
      coords: p.coords,
      explained,
      seconds: pcaSeconds,
      dim: emb.dim,
      backbone: describe(),
      engine,
      elapsed: (performance.now() - started) / 1000
    })
    const umap = job.pcaOnly ? null : await runUmap(emb.data, n, emb.dim, job, emit, signal)
    return {
      pca: { coords: p.coords, explained, seconds: pcaSeconds },
      umap,
      dim: emb.dim,
      backbone: describe(),
      engine,
      fromCache: emb.fromCache,
      seconds: (performance.now() - started) / 1000
    }
  } finally {
    await extractor.close()
    release()
  }
}

/** The extractor a training run of the job's configuration embeds with: a MobileNetV2 source, or the ONNX encoder. */
async function mapExtractor(
  job: EmbeddingMapJob
): Promise<{ extractor: EmbeddingExtractor; describe: () => string; release: () => void }> {
  if (job.config.backbone.kind === 'onnx-encoder') {
    const extractor = encoderExtractor(job.config, job.encoderPath, job.cacheDir)
    return {
      extractor,
      describe: () => extractor.info?.source.description ?? 'ONNX encoder',
      release: () => undefined
    }
  }
  const { backbone, spec } = await loadConfigBackbone(job.config)
  return {
    extractor: cachedExtractor(backbone, spec, job.cacheDir),
    describe: () => backbone.source.description,
    release: () => backbone.model.dispose()
  }
}

async function runUmap(
  data: Float32Array,
  n: number,
  dim: number,
  job: EmbeddingMapJob,
  emit: (e: EmbeddingMapJobEvent) => void,
  signal: AbortSignal
): Promise<{ coords: Float32Array; seconds: number }> {
  const t0 = performance.now()
  emit({ type: 'phase', text: `UMAP: nearest neighbours of ${n} items`, progress: null })
  await yieldToLoop()
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(job.nNeighbors, n - 1)),
    minDist: job.minDist,
    random: mulberry32(deriveSeed(job.config.seed, 'embedding-map-umap'))
  })
  const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * dim, (i + 1) * dim)))
  const epochs = umap.initializeFit(rows)
  for (let e = 0; e < epochs; e++) {
    umap.step()
    if (e % 10 === 9 || e === epochs - 1) {
      emit({ type: 'phase', text: `UMAP: epoch ${e + 1} of ${epochs}`, progress: (e + 1) / epochs })
      await yieldToLoop()
      if (signal.aborted) throw new AppError('CANCELLED', 'the embedding map was cancelled')
    }
  }
  const coords = Float32Array.from(umap.getEmbedding().flat())
  return { coords, seconds: (performance.now() - t0) / 1000 }
}
