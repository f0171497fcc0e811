import { AppError } from '../../shared/errors'
import { selectBackend } from '../compute/backend'
import type { ClassifyJob } from '../inference/job'
import { runClassify } from '../inference/run/classify-folder'
import { runTraining } from '../training/run/run-training'
import type { TrainingJob } from '../training/run/job'
import { serveEngine } from './engine-child'

// Entry of an engine process (forked child or Electron utility process): runs one job and exits.
serveEngine(
  async (job, emit, signal) => {
    const kind = (job as { kind?: string }).kind
    if (kind === 'train') return runTraining(job as TrainingJob, emit, signal)
    if (kind === 'calibrate') return (await import('./calibrate-job')).runCalibrateJob(job, signal)
    if (kind === 'classify') return runClassify(job as ClassifyJob, emit, signal)
    throw new AppError('INVALID_ARGUMENT', `the engine cannot run a job of kind "${String(kind)}"`)
  },
  async () => (await selectBackend()).active
)
