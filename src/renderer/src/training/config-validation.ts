import type { TrainingConfig, TrainingConfigInput } from '../../../shared/contract/training-config'
import { TrainingConfigSchema } from '../../../shared/contract/training-config'

/** The outcome of checking a form value with the engine's own schema. */
export interface ConfigCheck {
  /** The complete config (defaults filled) when valid, else null. */
  config: TrainingConfig | null
  /** Messages by dotted path ('stage2.learningRate'); '' holds errors of the whole config. */
  errors: Record<string, string>
}

/**
 * Runs the same zod schema the backend runs, so the form shows exactly the errors a launch would get, next
 * to the field they concern. Cross-field rules the schema cannot express are added here.
 */
export function checkConfig(value: TrainingConfigInput): ConfigCheck {
  const res = TrainingConfigSchema.safeParse(value)
  const errors: Record<string, string> = {}
  if (!res.success) {
    for (const issue of res.error.issues) {
      const key = issue.path.map(String).join('.')
      errors[key] ??= issue.message
    }
    return { config: null, errors }
  }
  const c = res.data
  if (!(c.stage1.enabled && c.stage1.epochs > 0) && !(c.stage2.enabled && c.stage2.epochs > 0)) {
    errors[''] = 'Both stages are off or have 0 epochs: there is nothing to train'
    return { config: null, errors }
  }
  return { config: c, errors }
}
