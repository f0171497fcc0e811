import { z } from 'zod'
import { defineEngineJob, noEvents } from '../engine/job-kind'
import { writeEncoderModelOnnx, writeModelOnnx } from '../onnx/model-onnx-file'
import { loadModelArtifact } from '../training/job/model-artifact'

/**
 * Engine job 'export-onnx': builds model.onnx inside a model folder from its saved tfjs weights (for runs
 * that finished before every run wrote one), and records it in neuropath.json. Loading tfjs and the model
 * stays out of the app process.
 */
export const exportOnnxJob = defineEngineJob({
  kind: 'export-onnx',
  params: z.object({ modelDir: z.string() }),
  event: noEvents,
  result: z.object({ bytes: z.number().int().nonnegative(), preprocessing: z.string() })
})

/** Handler of 'export-onnx'. */
export async function runExportOnnx(params: { modelDir: string }): Promise<{ bytes: number; preprocessing: string }> {
  const { model, card } = await loadModelArtifact(params.modelDir)
  try {
    const info = card.encoder
      ? writeEncoderModelOnnx(params.modelDir, model, card)
      : writeModelOnnx(params.modelDir, model, card)
    return { bytes: info.bytes, preprocessing: info.preprocessing }
  } finally {
    model.dispose()
  }
}
