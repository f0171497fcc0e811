import { checkBackbone } from '../training/runs/calibration/check-backbone'
import type { CalibrateJob, CalibrateResult } from '../training/runs/calibration/job'
import { measureSpeeds } from '../training/runs/calibration/measure'

/**
 * Engine job 'calibrate': checks a backbone (loads it and describes it) and/or measures the speeds a training
 * estimate needs. Runs in its own engine process so loading weights and timing kernels never block the app.
 */
export async function runCalibrateJob(input: unknown, signal: AbortSignal): Promise<CalibrateResult> {
  // The host (training service) builds the job; the engine channel carries it as a structured clone.
  const job = input as CalibrateJob
  const check = job.check ? await checkBackbone(job.backbone) : null
  const measure = job.measure ? await measureSpeeds(job.backbone, job.measure, signal) : null
  return { check, measure }
}
