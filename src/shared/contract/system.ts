import { z } from 'zod'
import { Empty } from './common'
import { event, rpc } from './define'

/** One candidate compute backend, in the order they are tried. */
export interface BackendCandidate {
  /** `tensorflow` = tfjs-node-gpu or tfjs-node (native), `wasm`, `cpu`. */
  name: 'node-gpu' | 'node' | 'wasm' | 'cpu'
  available: boolean
  /** Why it is not used: the load error, or "not installed". Null for the active one. */
  reason: string | null
}

/** The compute backend the training and inference engines use, and why. */
export interface BackendInfo {
  active: BackendCandidate['name']
  /** tfjs backend name as registered (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string
  /** Human-readable devices, e.g. "CPU: 2 cores, WASM SIMD 1 thread" or a GPU name. */
  devices: string[]
  /** Whether convolution gradients run here (false on wasm: stage 2 needs cpu or native). */
  supportsConvTraining: boolean
  candidates: BackendCandidate[]
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
