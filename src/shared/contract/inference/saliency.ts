/** Saliency maps of one prediction, as sent to the viewer. */

/**
 * How a stored map was computed. 'gradcam': ReLU(Σ_k α_k A_k) at the last convolutional block (α_k = spatial
 * mean of ∂score/∂A_k). 'layercam-baseline': ReLU(Σ_k ReLU(∂score/∂A_ijk)·(A_ijk − B_ijk)) at a finer
 * layer, B = the training-mean map. The score is the pre-softmax logit in both.
 */
export interface SaliencyMethod {
  kind: 'gradcam' | 'layercam-baseline'
  /** The backbone layer A was taken at. */
  layer: string
}

/**
 * A saliency map for one prediction and class (`method` says which; older models give Grad-CAM on
 * card.featureLayer). Normalised by its maximum; the model input is the whole image stretched to a square,
 * so the grid covers the whole image.
 */
export interface SaliencyMap {
  resultId: number
  path: string
  frame: number
  classIndex: number
  className: string
  /** The model's probability for this class on this image. */
  probability: number
  /** Image geometry, pixels: the map covers exactly this rectangle. */
  width: number
  height: number
  /** The feature-map grid (e.g. 7 × 7 at 224 px). */
  gridWidth: number
  gridHeight: number
  /**
   * gridHeight × gridWidth values in [0, 1], row-major: all that is sent; the viewer upsamples it over the
   * image (see shared/display/upsample.ts).
   */
  grid: Float32Array
  /** Maximum of the map before normalisation (0 = no positive evidence for this class). */
  strength: number
  /** Which method and layer made the map. */
  method: SaliencyMethod
}
