/** Backbone provenance, the picker's descriptions of each backbone kind, and the result of checking one. */

/** Backbone provenance stored with every run and model. */
export interface BackboneInfo {
  /** 'onnx-encoder': your own frozen ONNX encoder (issue 17); the rest are MobileNetV2 weight sources. */
  kind: 'nsfwjs' | 'keras-h5' | 'tfjs-dir' | 'random' | 'onnx-encoder'
  description: string
  path?: string
  inputScaling: '[-1,1]' | '[0,1]'
  sha256?: string
}

/**
 * What each backbone kind is, shown by the backbone picker before anything loads. `checkBackbone` returns the
 * description of the weights actually loaded (with their SHA-256).
 */
export const BACKBONE_SOURCES: Record<
  BackboneInfo['kind'],
  { label: string; source: string; inputScaling: BackboneInfo['inputScaling']; needsPath: 'file' | 'folder' | null }
> = {
  nsfwjs: {
    label: 'MobileNetV2 from the nsfwjs package (offline default)',
    source:
      'The MobileNetV2 (α = 1.0) shipped in the nsfwjs npm package: Keras 2.2.4, uint8-quantised weights, ImageNet-initialised and then fine-tuned for NSFW detection by that project. Expects pixels in [0, 1].',
    inputScaling: '[0,1]',
    needsPath: null
  },
  'keras-h5': {
    label: 'Official Keras ImageNet weights (.h5)',
    source:
      'The official Keras MobileNetV2 ImageNet weights file (mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5 or the full one), loaded from a path you give. Expects pixels in [-1, 1].',
    inputScaling: '[-1,1]',
    needsPath: 'file'
  },
  'tfjs-dir': {
    label: 'A tfjs layers-model folder',
    source:
      'A MobileNetV2 saved as a TensorFlow.js layers model (model.json + weight shards) in a folder you give; its neuropath-backbone.json, if present, says how it was made.',
    inputScaling: '[-1,1]',
    needsPath: 'folder'
  },
  random: {
    label: 'Random initialisation (no pretrained weights)',
    source:
      'MobileNetV2 (α = 1.0) with randomly initialised weights: for tests and ablations only; it learns little from small datasets.',
    inputScaling: '[-1,1]',
    needsPath: null
  },
  'onnx-encoder': {
    label: 'ONNX encoder (file)',
    source:
      'Your own frozen image encoder exported as .onnx (PyTorch, timm, Keras), with a declaration of its input and output; imported into the workspace. Stage 1 trains the head on its embeddings; stage 2 (fine-tuning) is MobileNetV2-only.',
    inputScaling: '[0,1]',
    needsPath: null
  }
}

/** A backbone loaded and checked in an engine process. */
export interface BackboneCheck {
  /** Provenance of the weights actually loaded (description, path, scaling, SHA-256). */
  source: BackboneInfo
  /** Embedding width after global average pooling (1280 for MobileNetV2 α = 1). */
  featureDim: number
  /** Layers in the backbone. */
  layers: number
  /** Weights in the backbone (parameters). */
  parameters: number
  /** Time to load it, seconds. */
  loadSeconds: number
  /** Backend of the engine process that loaded it. */
  backend: string
  /**
   * Where the weights were copied in the workspace (models/backbones/<sha256>/…) for a .h5 file or tfjs folder;
   * runs then use this copy, not the outside path. Null for built-in backbones.
   */
  importedPath: string | null
}
