/**
 * Batch inference (#7): classify a patient folder with a trained model in an engine process, with Grad-CAM
 * saliency, per-series/study/patient aggregation, catalog storage and CSV/JSON export.
 */
export type { ClassifyJob, ClassifyJobResult, ClassifiedRow, EngineClassifyEvent } from './job'
export { classifyFolder, runClassify } from './run/classify-folder'
export { listFolderInputs, type FolderInputs } from './input/list-inputs'
export { inputMeta, compareInputs, ROOT_LABEL, type InputMeta } from './input/input-meta'
export { splitClassifier, type SplitClassifier } from './model/split-classifier'
export { predictWithGradCam, quantizeCams, type BatchPrediction } from './gradcam/grad-cam'
export { saliencyMap } from './gradcam/saliency-map'
export { aggregate, countByClass, type AggregatableRow } from './aggregate/aggregate'
export { toPrediction, jobDetail, TOP_K } from './aggregate/prediction'
export { deidentifyDetail } from './export/deidentify'
export { predictionsToCsv, csvField } from './export/to-csv'
export { detailToJson, detailSummary, EXPORT_JSON_VERSION } from './export/to-json'
export { InferenceStore, topOne, type StoredResult } from './store/inference-store'
export { describeModelDir } from './model/describe-model'
