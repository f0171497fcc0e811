import type { LearningVerdict } from '../training'

/** The trained model a classification job uses, as its model card (neuropath.json) describes it. */

/** A trained model a job can use, as read from its model card (neuropath.json). */
export interface InferenceModelInfo {
  /** Absolute path of the model folder (model.json, weights.bin, neuropath.json). */
  modelDir: string
  /** The training run that produced it, when it came from one of this workspace's runs. */
  runId: number | null
  /** The run's name, or the folder name. */
  name: string
  /** classNames[i] is output unit i. */
  classNames: string[]
  /** Height = width of the model input, pixels. */
  inputSize: number
  /** Backbone description from the card. */
  backbone: string
  /** The backbone's last convolutional block output, where Grad-CAM is taken (e.g. 'out_relu'). */
  featureLayer: string
  /**
   * The card's saliency baseline (models trained since issue 13): maps are then LayerCAM against the
   * training-mean feature map at `saliency.layer`; absent = Grad-CAM at featureLayer.
   */
  saliency?: ModelSaliency
  datasetName: string | null
  /**
   * Accuracy recorded at training time and the split it was measured on ('val' when the version had no test
   * split; null for a card from before the split was recorded).
   */
  evaluation: { split: 'test' | 'val' | null; accuracy: number } | null
  /** Whether the training run learned; a flagged model (did not learn / overfit) needs `acceptFlaggedModel`. */
  verdict: LearningVerdict | null
}

/**
 * neuropath.json `saliency`: the model folder holds the mean feature map of training images at `layer`
 * (`baselineFile`, grid[0] × grid[1] × channels float32, little-endian, NHWC order), and classification
 * measures saliency against it (inference/gradcam/baseline-cam.ts).
 */
export interface ModelSaliency {
  method: 'layercam-baseline'
  /** Backbone layer the map is taken at, e.g. 'block_13_expand_relu' (14 × 14 at 224 px). */
  layer: string
  /** File name inside the model folder. */
  baselineFile: string
  /** Training images averaged into the baseline. */
  baselineImages: number
  /** [height, width] of the map, cells. */
  grid: [number, number]
  /** Channels of the baseline map. */
  channels: number
}
