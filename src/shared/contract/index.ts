import type { ClientOf, ContractDef, HandlersOf } from './define'
import { datasetsService } from './datasets'
import { imagingService } from './imaging'
import { inferenceService } from './inference'
import { evidenceService } from './evidence-service'
import { trainingService } from './training'
import { catalogService, systemService } from './system'

/**
 * The whole API the renderer may call, by service. Main registers a handler for every method
 * (IPC in Electron, WebSocket in browser mode); preload exposes one function per method.
 */
export const contract = {
  system: systemService,
  catalog: catalogService,
  imaging: imagingService,
  datasets: datasetsService,
  training: trainingService,
  inference: inferenceService,
  evidence: evidenceService
} satisfies ContractDef

export type Contract = typeof contract
export type Api = ClientOf<Contract>
export type Handlers = HandlersOf<Contract>

export * from './define'
export * from './common'
export * from './system'
export * from './imaging'
export * from './datasets'
export * from './training'
export * from './inference'
export * from './evidence'
export * from './evidence-service'
export * from './embedding-map'
export * from './lr-find'
export * from './onnx-encoder'
