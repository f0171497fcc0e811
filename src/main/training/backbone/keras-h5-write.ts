import fs from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { openH5wasm } from './keras-h5-format'
import { weightSuffix } from './model-surgery'

/**
 * Writes a model's weights as a Keras 2 HDF5 weights file (`model.save_weights` layout): root attributes
 * `layer_names`, `backend`, `keras_version`; per layer a group with attribute `weight_names`
 * ('<layer>/<short>:0') and float32 datasets at `/<layer>/<layer>/<short>:0`. Weightless layers get an
 * empty group without `weight_names`, which Keras reads as no weights.
 */
export async function saveKerasH5Weights(model: tf.LayersModel, file: string): Promise<void> {
  const h5 = await openH5wasm()
  if (fs.existsSync(file)) fs.rmSync(file)
  let f: InstanceType<typeof h5.File>
  try {
    f = new h5.File(file, 'w')
  } catch (err) {
    throw new AppError('IO', `cannot create HDF5 file ${file}: ${String(err)}`)
  }
  try {
    f.create_attribute(
      'layer_names',
      model.layers.map((l) => l.name)
    )
    f.create_attribute('backend', 'tensorflow')
    f.create_attribute('keras_version', `tfjs-layers ${tf.version.tfjs} (neuropath writer)`)
    for (const layer of model.layers) {
      const group = f.create_group(layer.name)
      if (layer.weights.length === 0) continue
      const names = layer.weights.map((w) => `${layer.name}/${weightSuffix(w.originalName)}:0`)
      group.create_attribute('weight_names', names)
      const inner = group.create_group(layer.name)
      layer.getWeights().forEach((value, i) => {
        inner.create_dataset({
          name: `${weightSuffix(layer.weights[i].originalName)}:0`,
          data: value.dataSync() as Float32Array,
          shape: value.shape,
          dtype: '<f'
        })
      })
    }
  } finally {
    f.close()
  }
}
