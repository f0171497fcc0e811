import { z } from 'zod'
import { Empty } from './common'
import { event, rpc } from './define'

/** A rung of the compute ladder, best first. */
export type BackendName = 'node-gpu' | 'ort' | 'node' | 'wasm' | 'cpu'

/** A tfjs rung (everything but ONNX Runtime). */
export type TfjsBackendName = Exclude<BackendName, 'ort'>

/** One candidate compute backend, in the order they are tried. */
export interface BackendCandidate {
  /**
   * `node-gpu` = tfjs-node-gpu on a GPU TensorFlow itself reports, `ort` = ONNX Runtime on the CPU
   * (backbone forward passes), `node` = tfjs-node, `wasm`, `cpu` = pure JavaScript tfjs.
   */
  name: BackendName
  available: boolean
  /** Why it is not used: the load error, "not installed", or a better rung in use. Null for a rung in use. */
  reason: string | null
  /** What it runs when in use, e.g. "backbone forward passes"; null when not used. */
  usedFor: string | null
}

/** The compute backend the training and inference engines use, and why. */
export interface BackendInfo {
  /** The rung that runs backbone forward passes (embeddings, classification, Grad-CAM maps, evaluation). */
  active: BackendName
  /** The tfjs rung for the work that stays on tfjs (head training, tfjs fine-tuning); equals `active` unless that is `ort`. */
  tfActive: TfjsBackendName
  /** tfjs backend name as registered (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string
  /** Human-readable devices, e.g. "CPU: 2 cores, WASM SIMD 1 thread" or a GPU name. */
  devices: string[]
  /** Whether tfjs convolution gradients run here (false on wasm: tfjs stage 2 needs cpu or native). */
  supportsConvTraining: boolean
  candidates: BackendCandidate[]
  /** Where this was determined: 'engine' (a probe run in an engine process, as jobs see it) or 'this process'. */
  measuredIn: 'engine' | 'this process'
}

export interface SystemInfo {
  product: string
  version: string
  /** Absolute path of the workspace folder. */
  workspace: string
  /** Schema version of catalog.sqlite (number of applied migrations). */
  catalogSchemaVersion: number
  /** Latest schema version this build knows. */
  catalogSchemaLatest: number
  backend: BackendInfo
  /** `electron` or `browser` (served by `neuropath serve`). */
  shell: 'electron' | 'browser' | 'cli'
  platform: string
  node: string
}

/** A background job shown in the status bar. */
export interface JobSummary {
  id: string
  kind: 'import' | 'training' | 'inference' | 'export'
  title: string
  /** 0..1, or null when unknown. */
  progress: number | null
  state: 'running' | 'done' | 'failed' | 'cancelled'
  message: string | null
}

export const systemService = {
  /** Version, workspace, catalog schema and the compute backend with reasons for the ones skipped. */
  getInfo: rpc(Empty).returns<SystemInfo>(),
  /** Background jobs currently known (running or finished in this session). */
  listJobs: rpc(Empty).returns<JobSummary[]>(),
  /** Fires whenever a job starts, progresses or ends. */
  onJobsChanged: event<JobSummary[]>(),
  /**
   * Opens the native file/folder dialog (Electron only) and grants the picked paths to the renderer.
   * Resolves to [] when the user cancels; UNSUPPORTED in browser mode, where paths are typed instead.
   */
  pickPaths: rpc(
    z
      .object({
        kind: z.enum(['file', 'folder']),
        title: z.string().max(200).optional(),
        multiple: z.boolean().default(false)
      })
      .strict()
  ).returns<string[]>()
}

export const SettingKey = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z][a-zA-Z0-9_.-]*$/, 'must look like "viewer.invert"')

export interface Setting {
  key: string
  value: unknown
  updatedAt: string
}

export const catalogService = {
  /** All workspace settings (small JSON values). */
  listSettings: rpc(Empty).returns<Setting[]>(),
  getSetting: rpc(z.object({ key: SettingKey }).strict()).returns<Setting | null>(),
  /** Stores a JSON value of at most 64 KiB. */
  setSetting: rpc(
    z
      .object({
        key: SettingKey,
        value: z.json().refine((v) => JSON.stringify(v).length <= 65536, 'must serialise to at most 64 KiB')
      })
      .strict()
  ).returns<Setting>()
}
