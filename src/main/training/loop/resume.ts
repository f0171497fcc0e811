import type { EpochLogs, Json } from './callback'
import type { NamedWeights } from './weights'

/** Version of the ResumeState layout. */
export const RESUME_STATE_VERSION = 1

/** Everything about a stage's progress that is not a weight: plain JSON. */
export interface ResumeState {
  version: number
  /** The stage's name (e.g. 'stage1'); resuming into a differently named stage is refused. */
  stage: string
  /** The run's seed: resuming with another seed is refused (the data order would differ). */
  seed: number
  /** Epochs finished; the resumed run starts at this 0-based epoch. */
  epochsCompleted: number
  /** Learning rate for the next epoch (after any plateau reduction). */
  lr: number
  /** True when a callback stopped the stage: a resume then trains no further epochs. */
  stopped: boolean
  /** Per-epoch logs so far. */
  history: EpochLogs[]
  /** Each callback's getState(), by callback name. */
  callbacks: Record<string, Json>
}

/** What a stage needs to continue exactly where it left off. */
export interface ResumePoint {
  state: ResumeState
  /** The model's weights after `state.epochsCompleted` epochs (TrainTarget.weights order). */
  weights: NamedWeights
  /** Adam's iteration count and moments, by position of the trainable variables. */
  optimizer: NamedWeights
  /** Weights held by callbacks (EarlyStopping's best), by callback name. */
  callbackWeights: Record<string, NamedWeights>
}
