import type * as tf from '@tensorflow/tfjs'

/** Where a backbone's weights come from. */
export type BackboneKind = 'nsfwjs' | 'keras-h5' | 'tfjs-dir' | 'random'

/**
 * Pixel scaling the backbone was trained with, applied after 8-bit rendering: '[-1,1]' is v/127.5 − 1
 * (Keras MobileNetV2 `preprocess_input`), '[0,1]' is v/255 (nsfwjs).
 */
export type InputScaling = '[-1,1]' | '[0,1]'

/** Provenance of a loaded backbone, stored with every model trained on it. */
export interface BackboneSource {
  kind: BackboneKind
  /** Truthful human-readable origin: package/file, framework version, training data, truncation point. */
  description: string
  /** Absolute path of the weights file or directory; absent for 'random'. */
  path?: string
  /** Input scaling the weights expect; the preprocessing chain must use the same. */
  inputScaling: InputScaling
  /** SHA-256 (hex) of the weight file(s) as read from disk; absent for 'random'. */
  sha256?: string
}

/** What to load: the kind, its file or directory when it has one, and the square input size in pixels. */
export interface BackboneSpec {
  kind: BackboneKind
  /** keras-h5: the .h5 file; tfjs-dir: the directory holding model.json; ignored by nsfwjs and random. */
  path?: string
  /** Height = width of the model input, pixels. */
  inputSize: number
  /** random only: seed of the initialisers, for reproducible tests. */
  seed?: number
}

/** A loaded backbone: `model` maps `[batch, s, s, 3]` to the `out_relu` feature map `[batch, h, w, C]`. */
export interface LoadedBackbone {
  model: tf.LayersModel
  source: BackboneSource
}
