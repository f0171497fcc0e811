import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import * as tf from '@tensorflow/tfjs'
import type { BackendCandidate, BackendInfo } from '../../shared/contract'

const requireHere = createRequire(__filename)

type Name = BackendCandidate['name']
const ORDER: Name[] = ['node-gpu', 'node', 'wasm', 'cpu']

/** One-line reason from a load error, without a stack or a multi-line native loader message. */
function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  if (/Cannot find module/.test(msg))
    return 'not installed (optional dependency missing or its libtensorflow download failed)'
  return msg.split('\n')[0].slice(0, 300)
}

async function tryNative(pkg: string): Promise<void> {
  // The native bindings register the `tensorflow` backend on the shared tfjs-core when required.
  requireHere(pkg)
  const ok = await tf.setBackend('tensorflow')
  if (!ok) throw new Error(`${pkg} loaded but the "tensorflow" backend did not initialise`)
}

async function tryGpu(): Promise<void> {
  await tryNative('@tensorflow/tfjs-node-gpu')
  // tfjs-node-gpu falls back to the CPU silently when CUDA 11.2/cuDNN 8.1 libraries are missing.
  const gpus = listGpus()
  if (gpus.length === 0)
    throw new Error('tfjs-node-gpu loaded, but TensorFlow found no CUDA GPU (needs CUDA 11.2 and cuDNN 8.1 libraries)')
}

function listGpus(): string[] {
  // tfjs-node exposes no device listing; the NVIDIA driver's proc entries name the GPUs it can see.
  if (process.env.CUDA_VISIBLE_DEVICES === '' || process.env.CUDA_VISIBLE_DEVICES === '-1') return []
  try {
    return fs.readdirSync('/proc/driver/nvidia/gpus').map((bus) => {
      const info = fs.readFileSync(`/proc/driver/nvidia/gpus/${bus}/information`, 'utf8')
      return `GPU: ${/Model:\s*(.+)/.exec(info)?.[1]?.trim() ?? 'NVIDIA'} (${bus})`
    })
  } catch {
    return []
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

const LOADERS: Record<Name, () => Promise<void>> = {
  'node-gpu': tryGpu,
  node: () => tryNative('@tensorflow/tfjs-node'),
  wasm: tryWasm,
  cpu: tryCpu
}

let selected: Promise<BackendInfo> | null = null

/**
 * Selects the best available tfjs backend once per process: node-gpu, then node, then wasm, then cpu.
 * `NEUROPATH_BACKEND=wasm|cpu|node|node-gpu` starts the search at that backend (tests use `cpu` for
 * convolution gradients, which wasm lacks).
 */
export function selectBackend(): Promise<BackendInfo> {
  selected ??= doSelect(process.env.NEUROPATH_BACKEND as Name | undefined)
  return selected
}

async function doSelect(start?: Name): Promise<BackendInfo> {
  const from = start && ORDER.includes(start) ? ORDER.indexOf(start) : 0
  const candidates: BackendCandidate[] = []
  let active: Name | null = null
  for (const [i, name] of ORDER.entries()) {
    if (active) {
      candidates.push({ name, available: true, reason: 'bundled; not used because a better backend is active' })
      continue
    }
    if (i < from) {
      candidates.push({ name, available: false, reason: `skipped: NEUROPATH_BACKEND=${start}` })
      continue
    }
    try {
      await LOADERS[name]()
      active = name
      candidates.push({ name, available: true, reason: null })
    } catch (err) {
      candidates.push({ name, available: false, reason: reasonOf(err) })
    }
  }
  if (!active) throw new Error('no tfjs backend could be initialised')
  return {
    active,
    tfBackend: tf.getBackend(),
    devices: describeDevices(active),
    supportsConvTraining: active !== 'wasm',
    candidates
  }
}

function describeDevices(active: Name): string[] {
  const cpus = os.cpus()
  const cpu = `CPU: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'})`
  if (active === 'node-gpu') return [...listGpus(), cpu]
  if (active === 'wasm') return [`${cpu}, WASM SIMD, 1 thread per engine`]
  if (active === 'cpu') return [`${cpu}, pure JavaScript`]
  return [cpu]
}
