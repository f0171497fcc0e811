import type { SaliencyMap } from '../../../shared/contract/inference'

/** How the Classify view names a map's method: a short toggle label, the layer and grid, and a tooltip. */
export interface MethodLabel {
  short: string
  detail: string
  title: string
}

/** Words for the method, layer and grid that made `m` (SaliencyMap.method). */
export function methodLabel(m: Pick<SaliencyMap, 'method' | 'gridWidth' | 'gridHeight'>): MethodLabel {
  const grid = `${m.gridHeight} × ${m.gridWidth}`
  if (m.method.kind === 'layercam-baseline') {
    return {
      short: 'LayerCAM',
      detail: `vs training mean · ${m.method.layer} ${grid}`,
      title:
        'LayerCAM against the mean training feature map: ReLU(Σ_k ReLU(∂score/∂A_k)·(A_k − mean_k)) per cell, ' +
        `at ${m.method.layer} (${grid} cells)`
    }
  }
  return {
    short: 'Grad-CAM',
    detail: `${m.method.layer} ${grid}`,
    title: `Grad-CAM (older model without a saliency baseline): ReLU(Σ_k α_k A_k) at ${m.method.layer} (${grid} cells)`
  }
}
