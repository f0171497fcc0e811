import { z } from 'zod'
import type { BackendInfo } from '../../shared/contract'
import { runInEngine } from '../engine/engine-host'
import type { EngineConfig } from '../engine/engine-config'
import { contractObject, defineEngineJob, noEvents } from '../engine/job-kind'

/**
 * Engine job 'probe': selects the compute ladder in an engine process, exactly as a training or
 * classification job would, and returns it. The handler is selectBackend (compute/backend.ts).
 */
export const probeJob = defineEngineJob({
  kind: 'probe',
  params: z.object({}),
  event: noEvents,
  result: contractObject<BackendInfo>('BackendInfo')
})

const cache = new WeakMap<EngineConfig, Promise<BackendInfo>>()

/**
 * The backend an engine process really uses: one tiny 'probe' job in a real engine (same entry, same
 * environment as training and classification), cached per engine configuration for the life of this
 * process. The host itself never loads TensorFlow or ONNX Runtime for this. A failed probe is not cached.
 */
export function engineBackend(engine: EngineConfig): Promise<BackendInfo> {
  let p = cache.get(engine)
  if (!p) {
    p = runInEngine({
      // With the core's live set, so shutting down also stops a probe still starting.
      ...engine,
      job: probeJob,
      params: {},
      onEvent: () => undefined
    }).then((info) => ({ ...info, measuredIn: 'engine' as const }))
    p.catch(() => cache.delete(engine))
    cache.set(engine, p)
  }
  return p
}
