import { engineHandler, type EngineHandler } from '../engine/engine-child'
import { checkEncoderJob, runCheckEncoder } from '../backbone-runtime/onnx-encoder/check-encoder'
import { probeJob } from '../compute/engine-backend'
import { selectBackend } from '../compute/backend'
import { lrFindJob } from '../evidence/lr-find/job'
import { embeddingMapJob } from '../evidence/map/job'
import { runEmbeddingMap } from '../evidence/map/run-embedding-map'
import { runLrFind } from '../evidence/lr-find/run-lr-find'
import { classifyJob } from '../inference/job'
import { exportOnnxJob, runExportOnnx } from '../model-export/export-onnx-job'
import { runClassify } from '../inference/run/classify-folder'
import { trainJob } from '../training/job/job'
import { runTraining } from '../training/job/run-training'
import { runCalibrate } from '../training/runs/calibration/calibrate-handler'
import { calibrateJob } from '../training/runs/calibration/job'

/**
 * Every job kind an engine process can run: its declaration (parameters, events, result) paired with the
 * function that runs it. This registry sits above the engine scaffold (src/main/engine) and the domains
 * (training, inference, …), so neither imports the other. A new job kind is one declaration next to its
 * domain code, one handler, and one line here (see ARCHITECTURE.md).
 */
export const engineHandlers: readonly EngineHandler[] = [
  engineHandler(trainJob, runTraining),
  engineHandler(classifyJob, runClassify),
  engineHandler(calibrateJob, runCalibrate),
  engineHandler(probeJob, () => selectBackend()),
  engineHandler(exportOnnxJob, runExportOnnx),
  engineHandler(checkEncoderJob, runCheckEncoder),
  engineHandler(lrFindJob, runLrFind),
  engineHandler(embeddingMapJob, runEmbeddingMap)
] as readonly EngineHandler[]
