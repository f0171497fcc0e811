import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { Dataset, Group } from 'h5wasm'
import { AppError } from '../../../shared/errors'
import { sha256OfFiles } from './file-hash'
import {
  asStrings,
  datasetFloat32,
  hasHdf5Signature,
  openH5wasm,
  readKerasListAttr,
  type KerasH5Weight
} from './keras-h5-format'
import { buildMobileNetV2 } from './mobilenet-v2'
import { weightSuffix } from './model-surgery'
import type { LoadedBackbone } from './types'

/** File name of the official keras-applications MobileNetV2 α=1.0 ImageNet weights without the top. */
export const OFFICIAL_KERAS_H5_NAME = 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5'

/** Weights of a Keras 2 HDF5 file by layer name, plus the file's Keras metadata. */
export interface KerasH5Contents {
  layers: Map<string, KerasH5Weight[]>
  kerasVersion: string
  backend: string
}

/**
 * Reads all weights of a Keras 2 HDF5 weights file (`model.save_weights` layout: root attribute
 * `layer_names`, each layer a group with attribute `weight_names` and datasets at `/<layer>/<weight name>`),
 * or of a full-model file (same layout under `/model_weights`). Keras 3 `.weights.h5` files are rejected
 * as UNSUPPORTED; unreadable files as CORRUPT.
 */
export async function readKerasH5Weights(file: string): Promise<KerasH5Contents> {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `Keras HDF5 weights ${file}: no such file`)
  if (!hasHdf5Signature(file))
    throw new AppError('CORRUPT', `Keras HDF5 weights ${file}: not an HDF5 file (no superblock signature)`)
  const h5 = await openH5wasm()
  let f: InstanceType<typeof h5.File>
  try {
    f = new h5.File(file, 'r')
  } catch (err) {
    throw new AppError('CORRUPT', `Keras HDF5 weights ${file}: not a readable HDF5 file (${String(err)})`)
  }
  try {
    return readOpenFile(f, file)
  } catch (err) {
    if (err instanceof AppError) throw err
    throw new AppError('CORRUPT', `Keras HDF5 weights ${file}: unreadable (${String((err as Error).message ?? err)})`)
  } finally {
    f.close()
  }
}

/** Reads the Keras 2 layout from an open file; h5wasm errors propagate to readKerasH5Weights. */
function readOpenFile(f: Group, file: string): KerasH5Contents {
  const keys = f.keys()
  const root = keys.includes('model_weights') ? (f.get('model_weights') as Group) : f
  const layerNames = readKerasListAttr(root, 'layer_names')
  if (layerNames.length === 0) {
    const hint = keys.includes('layers') ? ' (this looks like a Keras 3 .weights.h5 file, which is not supported)' : ''
    throw new AppError('UNSUPPORTED', `Keras HDF5 weights ${file}: no "layer_names" attribute${hint}`)
  }
  const layers = new Map<string, KerasH5Weight[]>()
  for (const layerName of layerNames) {
    const group = root.get(layerName) as Group | null
    if (!group) {
      throw new AppError('CORRUPT', `Keras HDF5 weights ${file}: layer "${layerName}" is listed but has no group`)
    }
    const weights: KerasH5Weight[] = []
    for (const weightName of readKerasListAttr(group, 'weight_names')) {
      const ds = group.get(weightName) as Dataset | null
      const values = ds ? datasetFloat32(ds) : null
      if (!ds || !values) {
        throw new AppError(
          'CORRUPT',
          `Keras HDF5 weights ${file}: weight "${weightName}" of layer "${layerName}" is missing or not float`
        )
      }
      weights.push({ name: weightName, shape: ds.shape ?? [], values })
    }
    layers.set(layerName, weights)
  }
  return {
    layers,
    kerasVersion: asStrings(f.attrs['keras_version']?.value ?? root.attrs['keras_version']?.value)[0] ?? 'unknown',
    backend: asStrings(f.attrs['backend']?.value ?? root.attrs['backend']?.value)[0] ?? 'unknown'
  }
}

/**
 * Puts Keras HDF5 weights into a Keras-named model, matching layers by name and weights by their short
 * name ('kernel', 'gamma', …). Layers of the file that the model lacks (e.g. a top) are ignored; a model
 * layer missing from the file, or a shape mismatch, is CORRUPT.
 */
export function setKerasH5Weights(model: tf.LayersModel, contents: KerasH5Contents, file: string): void {
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue
    const stored = contents.layers.get(layer.name)
    if (!stored) throw new AppError('CORRUPT', `Keras HDF5 weights ${file}: no weights for layer "${layer.name}"`)
    const bySuffix = new Map(stored.map((w) => [weightSuffix(w.name), w]))
    const values = tf.tidy(() =>
      layer.weights.map((lw) => {
        const suffix = weightSuffix(lw.originalName)
        const w = bySuffix.get(suffix)
        if (!w)
          throw new AppError('CORRUPT', `Keras HDF5 weights ${file}: layer "${layer.name}" has no "${suffix}" weight`)
        if (w.shape.join() !== lw.shape.join()) {
          throw new AppError(
            'CORRUPT',
            `Keras HDF5 weights ${file}: "${w.name}" of layer "${layer.name}" has shape [${w.shape}], expected [${lw.shape}]`
          )
        }
        return tf.tensor(w.values, w.shape, 'float32')
      })
    )
    layer.setWeights(values)
    tf.dispose(values)
  }
}

/**
 * Loads MobileNetV2 α=1.0 (no top) from a Keras 2 HDF5 weights file such as the official
 * mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5, into buildMobileNetV2 at `inputSize`.
 * Keras MobileNetV2 expects pixels scaled to [-1, 1].
 */
export async function loadKerasH5Backbone(file: string, inputSize: number): Promise<LoadedBackbone> {
  const abs = path.resolve(file)
  const contents = await readKerasH5Weights(abs)
  const model = buildMobileNetV2({ inputSize, includeTop: false })
  try {
    setKerasH5Weights(model, contents, abs)
  } catch (err) {
    model.dispose()
    throw err
  }
  const official =
    path.basename(abs) === OFFICIAL_KERAS_H5_NAME
      ? ' (the file name of the official keras-applications ImageNet weights)'
      : ''
  return {
    model,
    source: {
      kind: 'keras-h5',
      description:
        `MobileNetV2 α=1.0 with weights from the Keras HDF5 file ${path.basename(abs)}${official}, ` +
        `saved by Keras ${contents.kerasVersion} (${contents.backend} backend), loaded at ${inputSize} px up to out_relu`,
      path: abs,
      inputScaling: '[-1,1]',
      sha256: await sha256OfFiles([abs])
    }
  }
}
