/**
 * Imaging core: recognise, index, decode and render DICOM, PNG and JPEG files. Everything other
 * modules need is re-exported here.
 */
export { sniffKind, sniffFile } from './sniff'
export { readImageHeader } from './header'
export { decodeImage, decodeVolumeSlice, forEachFrame, type DecodeOptions } from './decode'
export { renderWindowed, type RenderOptions } from './render'
export { encodePng } from './png'
export { dumpTags } from './dicom/dump'
export { sortSeries, sliceNormal, type SliceGeometry } from './series'
export { dicomSummary } from './summary'
export { storedSha256, storedStats } from './stats'
export { transferSyntaxName, supportedTransferSyntaxes } from './dicom/transfer-syntax'
export { encodeDicom, type WriteElement, type WriteDicomOptions, type FileLayout } from './dicom/writer'
export type {
  DecodedImage,
  DicomSummary,
  DicomTag,
  ImageHeader,
  ImageKind,
  StoredArray,
  VoiLutFunction,
  VoiWindow
} from './types'
