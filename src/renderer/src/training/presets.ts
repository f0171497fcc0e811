import type { TrainingConfigInput } from '../../../shared/contract/training-config'

/** A named starting point for the form. */
export interface TrainingPreset {
  name: string
  /** What it sets; everything else takes the schema's defaults. */
  config: TrainingConfigInput
  builtIn: boolean
  description: string
}

/** Catalog setting key of the presets the user saved. */
export const PRESETS_SETTING = 'training.presets'

/** The presets every workspace has. */
export const BUILTIN_PRESETS: TrainingPreset[] = [
  {
    name: 'Seed recipe',
    config: {},
    builtIn: true,
    description:
      'The seed project: 224 px, head 512/256, stage 1 for 20 epochs at 1e-3, stage 2 (top 30 layers) for 30 at 1e-4'
  },
  {
    name: 'Quick CPU (stage 1 on cached embeddings)',
    config: {
      stage1: { mode: 'embeddings', augmentVariants: 0 },
      stage2: { enabled: false },
      augmentation: { enabled: false }
    },
    builtIn: true,
    description:
      'Stage 1 only, on backbone embeddings computed once: minutes on a laptop CPU; no fine-tuning and no augmentation (set Augmented variants above 0 and turn augmentation on to cache augmented copies)'
  }
]

/** Parses the stored user presets, dropping anything malformed. */
export function parseUserPresets(value: unknown): TrainingPreset[] {
  if (!Array.isArray(value)) return []
  return value
    .filter(
      (p): p is { name: string; config: TrainingConfigInput } =>
        !!p && typeof p.name === 'string' && !!p.config && typeof p.config === 'object'
    )
    .map((p) => ({ name: p.name, config: p.config, builtIn: false, description: 'Saved by you' }))
}

/** The user presets with `preset` added (replacing one of the same name), as stored. */
export function withPreset(
  user: TrainingPreset[],
  name: string,
  config: TrainingConfigInput
): { name: string; config: TrainingConfigInput }[] {
  const rest = user.filter((p) => p.name !== name)
  return [...rest.map((p) => ({ name: p.name, config: p.config })), { name, config }]
}
