import os from 'node:os'
import { createRequire } from 'node:module'
import type * as Ort from 'onnxruntime-node'

/** The onnxruntime-node module as this project uses it. */
export type OrtModule = typeof Ort

/** Whether ONNX Runtime loaded in this process, and why not. */
export type OrtStatus = { ok: true; ort: OrtModule; version: string } | { ok: false; reason: string }

const requireHere = createRequire(__filename)

/** Loads onnxruntime-node; replaced by tests to simulate a platform where it cannot load. */
export type OrtLoader = () => OrtModule

const defaultLoader: OrtLoader = () => requireHere('onnxruntime-node') as OrtModule

let loader: OrtLoader = defaultLoader
let status: OrtStatus | null = null

/**
 * Replaces the loader (tests: a loader that throws, as on a platform without a prebuilt library) and
 * forgets the cached status. Pass nothing to restore the real loader.
 */
export function setOrtLoader(next?: OrtLoader): void {
  loader = next ?? defaultLoader
  status = null
}

/** One line from a load error: no stack, no multi-line dlopen text. */
function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  if (/Cannot find module/.test(msg)) return 'onnxruntime-node is not installed'
  return `onnxruntime-node could not load: ${msg.split('\n')[0].slice(0, 300)}`
}

/**
 * Loads ONNX Runtime once per process, lazily (its native library costs ~100 ms to map).
 * `NEUROPATH_DISABLE_ORT=1` turns it off, as if the platform had no build of it; the engine then uses
 * the tfjs ladder. Never throws: a failure is a status with a one-line reason.
 */
export function loadOrt(): OrtStatus {
  if (status) return status
  if (process.env.NEUROPATH_DISABLE_ORT === '1') {
    status = { ok: false, reason: 'disabled by NEUROPATH_DISABLE_ORT=1' }
    return status
  }
  try {
    const ort = loader()
    if (typeof ort?.InferenceSession?.create !== 'function') throw new Error('it has no InferenceSession')
    status = { ok: true, ort, version: String((ort.env as { versions?: { node?: string } })?.versions?.node ?? '') }
  } catch (err) {
    status = { ok: false, reason: reasonOf(err) }
  }
  return status
}

/** Threads one session uses: every core this process may use (ORT parallelises inside each op). */
export function ortThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
}

/** Options of createOrtSession beyond the thread count. */
export interface OrtSessionOptions {
  /**
   * False: idle intra-op threads sleep instead of spin-waiting between ops. Training graphs run hundreds of
   * ops of a few ms each; with 2 threads on 2 busy cores, spinning burned a third of the CPU time of a
   * stage-2 step (0.0186 → 0.0126 CPU-s per image at batch 32, the same or better wall speed). Default true.
   */
  spinning?: boolean
}

/**
 * Creates an ONNX Runtime CPU session from serialised model bytes, with all graph optimisations
 * (Conv+Clip fusion, constant folding) and one intra-op thread per core. Throws when ORT did not load.
 */
export async function createOrtSession(
  model: Uint8Array,
  threads = ortThreads(),
  opts: OrtSessionOptions = {}
): Promise<Ort.InferenceSession> {
  const s = loadOrt()
  if (!s.ok) throw new Error(s.reason)
  return s.ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    ...(opts.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {})
  })
}
