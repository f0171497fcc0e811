import path from 'node:path'
import { z } from 'zod'
import {
  OnnxEncoderDeclarationInput,
  type OnnxEncoderCheck,
  type OnnxEncoderDeclarationInput as DeclarationInput
} from '../../../shared/contract/onnx-encoder'
import { contractObject, defineEngineJob, noEvents } from '../../engine/job-kind'
import { openBackboneRuntime } from '../backbone-runtime'
import type { OnnxEncoderRuntime } from './encoder-runtime'

/**
 * Engine job 'check-encoder': loads an ONNX encoder file in an engine process (a foreign graph that
 * crashes ONNX Runtime takes down the engine, not the app), resolves its declaration, runs two generated
 * images through it, and describes it. The host copies the file into the workspace afterwards.
 */
export const checkEncoderJob = defineEngineJob({
  kind: 'check-encoder',
  params: z.object({ path: z.string().min(1), declaration: OnnxEncoderDeclarationInput }),
  event: noEvents,
  result: contractObject<Omit<OnnxEncoderCheck, 'importedPath'>>('OnnxEncoderCheck')
})

/** Two distinct generated s × s RGB images in [0, 1] (HWC): a diagonal colour ramp, and a checkerboard. */
export function checkImages(s: number): Float32Array {
  const out = new Float32Array(2 * s * s * 3)
  for (let y = 0; y < s; y++)
    for (let x = 0; x < s; x++) {
      const p = (y * s + x) * 3
      out[p] = x / s
      out[p + 1] = y / s
      out[p + 2] = (x + y) / (2 * s)
      const q = (s * s + y * s + x) * 3
      const on = (Math.floor(x / 8) + Math.floor(y / 8)) % 2 === 1 ? 0.9 : 0.1
      out[q] = on
      out[q + 1] = 1 - on
      out[q + 2] = 0.5
    }
  return out
}

/**
 * Why `n` embeddings of `width` values (row-major) are unusable, or null: any NaN/Inf; every value the same
 * (constant output); or different images giving the same vector (the output ignores the image).
 */
export function degenerateReason(e: Float32Array, n: number, width: number): string | null {
  if (width === 0) return 'the embedding is empty'
  for (let i = 0; i < e.length; i++) if (!Number.isFinite(e[i])) return 'the output holds NaN or infinite values'
  let min = Infinity
  let max = -Infinity
  for (const v of e) {
    min = Math.min(min, v)
    max = Math.max(max, v)
  }
  const tol = 1e-6 * Math.max(1, Math.abs(max), Math.abs(min))
  if (max - min <= tol) return `the output is constant (every value ${min.toPrecision(4)})`
  for (let a = 1; a < n; a++) {
    let diff = 0
    for (let j = 0; j < width; j++) diff = Math.max(diff, Math.abs(e[a * width + j] - e[j]))
    if (diff <= tol) return 'different images give the same embedding (the output does not depend on the image)'
  }
  return null
}

/** Handler of 'check-encoder'. */
export async function runCheckEncoder(params: {
  path: string
  declaration: DeclarationInput
}): Promise<Omit<OnnxEncoderCheck, 'importedPath'>> {
  const rt = (await openBackboneRuntime(
    { kind: 'onnx-encoder', path: params.path, declaration: params.declaration },
    { outputs: ['embedding'] }
  )) as OnnxEncoderRuntime
  try {
    const d = rt.declaration
    const images = checkImages(d.inputSize)
    const first = await rt.run(images, 2)
    const embedding = first.embedding as Float32Array
    const width = embedding.length / 2
    // Speed: batches of the same 2 images for at least 0.3 s (or 20 batches), after the first (warm-up) run.
    let runs = 0
    const t0 = performance.now()
    while (runs < 20 && (runs < 2 || performance.now() - t0 < 300)) {
      await rt.run(images, 2)
      runs++
    }
    const seconds = (performance.now() - t0) / 1000
    const inputMeta = rt.graph.inputs.find((v) => v.name === d.input)
    return {
      fileName: path.basename(params.path),
      sha256: rt.sha256,
      bytes: rt.bytes,
      declaration: d,
      inputShape: [...(inputMeta?.shape ?? [])],
      outputShape: [...rt.lastOutputDims()],
      embeddingWidth: width,
      imagesPerSecond: (runs * 2) / seconds,
      engine: rt.engine,
      degenerate: degenerateReason(embedding, 2, width)
    }
  } finally {
    await rt.close()
  }
}
