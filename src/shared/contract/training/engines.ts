/** Which engine trained each stage and which weights a model folder holds, with their words for the UI. */

/**
 * The engine each stage of a run trained on, as it actually ran: 'ort' (ONNX Runtime), or a tfjs backend
 * name ('node-gpu', 'node', 'wasm', 'cpu'). For stage 1 on cached embeddings it names the head trainer (the
 * embeddings' engine is in the run log). Null for a stage that did not run.
 */
export interface StageBackends {
  stage1: string | null
  stage2: string | null
}

/**
 * Which weights a model folder holds: the stage they come from and whether they are that stage's best
 * checkpoint (by val_accuracy; what a cancelled run keeps) or its last epoch (a completed run; early
 * stopping may have restored its best-val_loss weights).
 */
export interface ModelOrigin {
  stage: 1 | 2
  weights: 'best-checkpoint' | 'last-epoch'
}

const ENGINE_NAMES: Record<string, string> = {
  ort: 'ONNX Runtime',
  'node-gpu': 'tfjs-node-gpu',
  node: 'tfjs-node',
  wasm: 'tfjs wasm',
  cpu: 'tfjs cpu'
}

/** A backend id as words ('ort' → 'ONNX Runtime'); unknown ids unchanged. */
export const engineLabel = (backend: string): string => ENGINE_NAMES[backend] ?? backend

/**
 * Which engine ran each stage, e.g. 'stage 1 ONNX Runtime · stage 2 tfjs cpu' (short: 'ort · cpu'), leaving
 * out stages that did not run; null when the run has no per-stage record (callers then show `backend`).
 */
export function stageBackendsLabel(sb: StageBackends | null | undefined, short = false): string | null {
  if (!sb) return null
  const parts = ([1, 2] as const).flatMap((s) => {
    const b = s === 1 ? sb.stage1 : sb.stage2
    return b === null ? [] : [short ? b : `stage ${s} ${engineLabel(b)}`]
  })
  return parts.length > 0 ? parts.join(' · ') : null
}

/** Where the saved weights come from, in words: 'stage 2, last epoch' or "stage 1's best checkpoint". */
export const modelOriginLabel = (o: ModelOrigin): string =>
  o.weights === 'best-checkpoint' ? `stage ${o.stage}'s best checkpoint` : `stage ${o.stage}, last epoch`
