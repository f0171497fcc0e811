import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import * as tf from '@tensorflow/tfjs'
import type { BackendCandidate, BackendInfo, BackendName, TfjsBackendName } from '../../shared/contract'
import { loadOrt, ortThreads } from '../onnx/ort-runtime'

const requireHere = createRequire(__filename)

/** Loads an optional native package by name; tests swap it to load a stand-in through the same path. */
export type NativeRequire = (pkg: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu') => unknown

let requireNative: NativeRequire = (pkg) => requireHere(pkg)

/** The ladder, best first. */
export const BACKEND_ORDER: readonly BackendName[] = ['node-gpu', 'ort', 'node', 'wasm', 'cpu']

/** One-line reason from a load error, without a stack or a multi-line native loader message. */
function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  if (/Cannot find module/.test(msg))
    return 'not installed (optional dependency missing or its libtensorflow download failed)'
  return msg.split('\n')[0].slice(0, 300)
}

async function tryNative(pkg: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu'): Promise<void> {
  // The native bindings register the `tensorflow` backend on the shared tfjs-core when required.
  requireNative(pkg)
  const ok = await tf.setBackend('tensorflow')
  if (!ok) throw new Error(`${pkg} loaded but the "tensorflow" backend did not initialise`)
}

/**
 * Whether TensorFlow itself placed ops on a GPU: tfjs-node's backend carries `isUsingGpuDevice`, set by
 * its binding after TensorFlow enumerated devices (false when CUDA 11.2 / cuDNN 8.1 libraries are missing,
 * even with the NVIDIA driver present).
 */
function tensorflowUsesGpu(): boolean {
  const b = tf.backend() as unknown as { isUsingGpuDevice?: boolean | (() => boolean) }
  const v = typeof b.isUsingGpuDevice === 'function' ? b.isUsingGpuDevice() : b.isUsingGpuDevice
  return v === true
}

async function tryGpu(): Promise<void> {
  await tryNative('@tensorflow/tfjs-node-gpu')
  if (!tensorflowUsesGpu()) {
    // Its "tensorflow" backend stays registered: the node rung can still use it on the CPU.
    throw new Error('tfjs-node-gpu loaded, but TensorFlow uses no GPU (it needs CUDA 11.2 and cuDNN 8.1 libraries)')
  }
}

async function tryWasm(): Promise<void> {
  const wasm = requireHere('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')
  const dist = path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))
  wasm.setWasmPaths(dist + path.sep)
  const ok = await tf.setBackend('wasm')
  if (!ok) throw new Error('the WASM backend did not initialise')
}

async function tryCpu(): Promise<void> {
  const ok = await tf.setBackend('cpu')
  if (!ok) throw new Error('the cpu backend did not initialise')
}

const TFJS_LOADERS: Record<TfjsBackendName, () => Promise<void>> = {
  'node-gpu': tryGpu,
  node: async () => {
    try {
      await tryNative('@tensorflow/tfjs-node')
    } catch (err) {
      // tfjs-node-gpu without a usable GPU is native TensorFlow on the CPU, i.e. this rung.
      if (!tf.findBackend('tensorflow') || !(await tf.setBackend('tensorflow'))) throw err
    }
  },
  wasm: tryWasm,
  cpu: tryCpu
}

let selected: Promise<BackendInfo> | null = null

/**
 * Selects the compute ladder once per process: node-gpu (only when TensorFlow reports a GPU device),
 * then ONNX Runtime for backbone forward passes, then node, wasm, cpu. Besides the rung that runs the
 * backbone, a tfjs rung is always chosen for the work that stays on tfjs (head training, tfjs fine-tuning).
 * `NEUROPATH_BACKEND=node-gpu|ort|node|wasm|cpu` starts the search at that rung (`cpu` has every tfjs
 * gradient kernel); `NEUROPATH_DISABLE_ORT=1` makes ONNX Runtime unavailable. Every skipped rung gets a reason.
 */
export function selectBackend(): Promise<BackendInfo> {
  selected ??= doSelect(process.env.NEUROPATH_BACKEND as BackendName | undefined)
  return selected
}

/** Forgets the selection and, with `native`, swaps how tfjs-node(-gpu) are loaded. Tests only. */
export function resetBackendForTests(native?: NativeRequire): void {
  selected = null
  requireNative = native ?? ((pkg) => requireHere(pkg))
}

async function doSelect(start?: BackendName): Promise<BackendInfo> {
  const from = start && BACKEND_ORDER.includes(start) ? BACKEND_ORDER.indexOf(start) : 0
  const candidates: BackendCandidate[] = []
  let active: BackendName | null = null
  let tfActive: TfjsBackendName | null = null
  for (const [i, name] of BACKEND_ORDER.entries()) {
    const skipped = (reason: string, available = false): void => {
      candidates.push({ name, available, reason, usedFor: null })
    }
    if (i < from) {
      skipped(`skipped: NEUROPATH_BACKEND=${start}`)
      continue
    }
    if (name === 'ort') {
      if (active) {
        skipped(`not used: ${active} runs the backbone`, loadOrt().ok)
        continue
      }
      const ort = loadOrt()
      if (!ort.ok) {
        skipped(ort.reason)
        continue
      }
      active = 'ort'
      candidates.push({ name, available: true, reason: null, usedFor: 'backbone forward passes' })
      continue
    }
    if (tfActive) {
      skipped(`not used: ${tfActive} is the better tfjs backend`, true)
      continue
    }
    try {
      await TFJS_LOADERS[name]()
      tfActive = name
      active ??= name
      candidates.push({
        name,
        available: true,
        reason: null,
        usedFor: active === name ? 'everything' : 'head training and other tfjs work'
      })
    } catch (err) {
      skipped(reasonOf(err))
    }
  }
  if (!active || !tfActive) throw new Error('no tfjs backend could be initialised')
  return {
    active,
    tfActive,
    tfBackend: tf.getBackend(),
    devices: describeDevices(active, tfActive),
    supportsConvTraining: tfActive !== 'wasm',
    candidates,
    measuredIn: 'this process'
  }
}

function describeDevices(active: BackendName, tfActive: TfjsBackendName): string[] {
  const cpus = os.cpus()
  const cpu = `CPU: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'})`
  const out: string[] = []
  if (active === 'node-gpu') out.push('GPU: reported by TensorFlow (tfjs-node-gpu)')
  if (active === 'ort') out.push(`${cpu}, ONNX Runtime with ${ortThreads()} threads (backbone)`)
  if (tfActive === 'wasm') out.push(`${cpu}, tfjs WASM SIMD, 1 thread`)
  else if (tfActive === 'cpu') out.push(`${cpu}, tfjs pure JavaScript`)
  else out.push(`${cpu}, TensorFlow native`)
  return out
}
