import fs from 'node:fs'
import path from 'node:path'
import { createHash } from 'node:crypto'
import type { OnnxEncoderDeclaration, OnnxEncoderDeclarationInput } from '../../../shared/contract/onnx-encoder'
import { AppError } from '../../../shared/errors'
import { createOrtSession, loadOrt, ortThreads } from '../../onnx/ort-runtime'
import type { PlanOutput } from '../../onnx/plan-to-onnx'
import type { BackboneOutputs, BackboneRuntime } from '../backbone-runtime'
import { resolveDeclaration, type EncoderGraph } from './declaration'
import { packInput, poolOutput, toNhwc } from './encoder-io'

/** A frozen encoder from an ONNX file and its (possibly partial) declaration. */
export interface OnnxEncoderSource {
  kind: 'onnx-encoder'
  /** The .onnx file. */
  path: string
  declaration: OnnxEncoderDeclarationInput
}

/** The backbone runtime of an ONNX encoder, with what identifies it. */
export interface OnnxEncoderRuntime extends BackboneRuntime {
  declaration: OnnxEncoderDeclaration
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string
  bytes: number
  graph: EncoderGraph
  /** Dims of the chosen output in the latest run (before pooling). */
  lastOutputDims(): readonly number[]
}

function graphOf(session: {
  inputMetadata: readonly { name: string; isTensor: boolean; shape?: ReadonlyArray<number | string> }[]
  outputMetadata: readonly { name: string; isTensor: boolean; shape?: ReadonlyArray<number | string> }[]
}): EncoderGraph {
  const values = (m: typeof session.inputMetadata) => m.map((v) => ({ name: v.name, shape: v.shape ?? [] }))
  return { inputs: values(session.inputMetadata), outputs: values(session.outputMetadata) }
}

/**
 * Opens an ONNX encoder as a backbone runtime on ONNX Runtime: the declaration is resolved against the
 * graph first (a mismatch rejects with INVALID_ARGUMENT naming the file), then every batch of the app's
 * preprocessed images (HWC, RGB, [0, 1]) is normalised and laid out as declared, and the chosen output is
 * pooled. There is no tfjs fallback for a foreign graph: without ONNX Runtime this rejects with UNSUPPORTED.
 */
export async function openOnnxEncoder(
  src: OnnxEncoderSource,
  outputs: readonly PlanOutput[]
): Promise<OnnxEncoderRuntime> {
  const what = `onnx encoder ${path.basename(src.path)}`
  const status = loadOrt()
  if (!status.ok)
    throw new AppError('UNSUPPORTED', `${what}: needs ONNX Runtime, which is unavailable (${status.reason})`)
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(src.path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO'
    throw new AppError(code, `${what}: cannot read ${src.path}: ${(err as Error).message}`)
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const threads = ortThreads()
  let session: Awaited<ReturnType<typeof createOrtSession>>
  try {
    session = await createOrtSession(bytes, threads)
  } catch (err) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${what}: ONNX Runtime cannot load it: ${(err as Error).message.split('\n')[0].slice(0, 300)}`
    )
  }
  const graph = graphOf(session as unknown as Parameters<typeof graphOf>[0])
  let declaration: OnnxEncoderDeclaration
  try {
    declaration = resolveDeclaration(src.declaration, graph, what)
    if (outputs.includes('featureMap') && declaration.pooling !== 'global-average') {
      throw new AppError(
        'UNSUPPORTED',
        `${what}: a feature map (Grad-CAM) needs a spatial output; "${declaration.output}" is pooled by ${declaration.pooling}`
      )
    }
  } catch (err) {
    await session.release()
    throw err
  }
  const d = declaration
  const { ort, version } = status
  const s = d.inputSize
  const shape = d.layout === 'NCHW' ? [3, s, s] : [s, s, 3]
  let lastDims: readonly number[] = []
  const runtime: OnnxEncoderRuntime = {
    backend: 'ort',
    engine: `onnxruntime ${version} (cpu, ${threads} thread${threads === 1 ? '' : 's'})`,
    inputSize: s,
    featureDim: 0,
    preferredBatch: 16,
    declaration: d,
    sha256,
    bytes: bytes.length,
    graph,
    lastOutputDims: () => lastDims,
    async run(input: Float32Array, n: number): Promise<BackboneOutputs> {
      const x = new ort.Tensor('float32', packInput(input, n, d), [n, ...shape])
      const r = await session.run({ [d.input]: x }, [d.output])
      const o = { data: r[d.output].data as Float32Array, dims: r[d.output].dims.map(Number) }
      lastDims = o.dims
      const out: BackboneOutputs = {}
      if (outputs.includes('embedding')) out.embedding = poolOutput(o, n, d)
      if (outputs.includes('featureMap')) out.featureMap = toNhwc(o, d)
      return out
    },
    close: () => session.release()
  }
  // The width is known only once the graph ran: one blank image settles it, and a graph that fails on a
  // well-formed input fails here, before any job work, naming the file.
  try {
    const probe = await runtime.run(new Float32Array(s * s * 3), 1)
    const width = probe.embedding?.length ?? probe.featureMap?.shape[3] ?? 0
    return { ...runtime, featureDim: width }
  } catch (err) {
    await session.release()
    if (err instanceof AppError) throw err
    throw new AppError(
      'INVALID_ARGUMENT',
      `${what}: running one ${s}×${s} image failed: ${(err as Error).message.split('\n')[0].slice(0, 300)}`
    )
  }
}
