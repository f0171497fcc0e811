import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'

/**
 * Saves a tfjs LayersModel as a layers-model folder: model.json plus one float32 little-endian weight file
 * `weightsFile`, each written with `write` (a plain or an atomic write). Creates `dir`. Backbone folders and
 * model folders share this format; readTfjsModelDir reads both.
 */
export async function saveLayersModel(
  model: tf.LayersModel,
  dir: string,
  weightsFile: string,
  write: (file: string, data: Buffer | string) => void
): Promise<void> {
  fs.mkdirSync(dir, { recursive: true })
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData
      const bytes = data === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(data)
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }]
      }
      write(path.join(dir, weightsFile), Buffer.from(bytes))
      write(path.join(dir, 'model.json'), JSON.stringify(modelJson))
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.byteLength }
      }
    })
  )
}
