import { AppError } from '../../../shared/errors'

/** Which decoder family handles a transfer syntax's pixel data. */
export type PixelCodec = 'native' | 'encapsulated-native' | 'rle' | 'jpeg' | 'jpeg-ls' | 'jpeg2000' | 'htj2k'

/** Facts about one transfer syntax (DICOM PS3.5 §10, PS3.6 Annex A). */
export interface TransferSyntaxInfo {
  uid: string
  name: string
  /** False only for Implicit VR Little Endian. */
  explicitVr: boolean
  bigEndian: boolean
  deflated: boolean
  codec: PixelCodec
  lossy: boolean
}

const RAW = { explicitVr: true, bigEndian: false, deflated: false, lossy: false }

const SUPPORTED: TransferSyntaxInfo[] = [
  { ...RAW, uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', explicitVr: false, codec: 'native' },
  { ...RAW, uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', codec: 'native' },
  {
    ...RAW,
    uid: '1.2.840.10008.1.2.1.98',
    name: 'Encapsulated Uncompressed Explicit VR Little Endian',
    codec: 'encapsulated-native'
  },
  {
    ...RAW,
    uid: '1.2.840.10008.1.2.1.99',
    name: 'Deflated Explicit VR Little Endian',
    deflated: true,
    codec: 'native'
  },
  { ...RAW, uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', bigEndian: true, codec: 'native' },
  { ...RAW, uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', codec: 'rle' },
  { ...RAW, uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', codec: 'jpeg', lossy: true },
  { ...RAW, uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended (Process 2 & 4)', codec: 'jpeg', lossy: true },
  { ...RAW, uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless, Non-Hierarchical (Process 14)', codec: 'jpeg' },
  {
    ...RAW,
    uid: '1.2.840.10008.1.2.4.70',
    name: 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [SV1])',
    codec: 'jpeg'
  },
  { ...RAW, uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', codec: 'jpeg-ls' },
  { ...RAW, uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Near-Lossless', codec: 'jpeg-ls', lossy: true },
  { ...RAW, uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 (Lossless Only)', codec: 'jpeg2000' },
  { ...RAW, uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', codec: 'jpeg2000', lossy: true },
  { ...RAW, uid: '1.2.840.10008.1.2.4.201', name: 'HTJ2K (Lossless Only)', codec: 'htj2k' },
  { ...RAW, uid: '1.2.840.10008.1.2.4.202', name: 'HTJ2K with RPCL Options (Lossless Only)', codec: 'htj2k' },
  { ...RAW, uid: '1.2.840.10008.1.2.4.203', name: 'HTJ2K', codec: 'htj2k', lossy: true }
]

/** Names of syntaxes we recognise but cannot decode, so the error can say what the file is. */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  '1.2.840.10008.1.2.1.99.1': 'Deflated Explicit VR Little Endian (variant)',
  '1.2.840.10008.1.2.4.52': 'JPEG Extended (Process 3 & 5, retired)',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection (retired)',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression (retired)',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.95': 'JPIP Referenced Deflate',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.101': 'MPEG2 Main Profile / High Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.104': 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video',
  '1.2.840.10008.1.2.4.105': 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video',
  '1.2.840.10008.1.2.4.106': 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265 Main Profile / Level 5.1',
  '1.2.840.10008.1.2.4.108': 'HEVC/H.265 Main 10 Profile / Level 5.1',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.111': 'JPEG XL JPEG Recompression',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
  '1.2.840.10008.1.2.8.1': 'Deflated Image Frame Compression'
}

const BY_UID = new Map(SUPPORTED.map((ts) => [ts.uid, ts]))

/** Looks up a supported transfer syntax; undefined for anything else. */
export function findTransferSyntax(uid: string): TransferSyntaxInfo | undefined {
  return BY_UID.get(uid)
}

/** Human name of any transfer syntax UID, or the UID itself when unknown. */
export function transferSyntaxName(uid: string): string {
  return BY_UID.get(uid)?.name ?? KNOWN_UNSUPPORTED[uid] ?? uid
}

/**
 * The supported transfer syntax for (0002,0010), or an UNSUPPORTED AppError naming the UID and the file.
 * `where` is the file path used in the message.
 */
export function requireTransferSyntax(uid: string, where: string): TransferSyntaxInfo {
  const ts = BY_UID.get(uid)
  if (ts) return ts
  const known = KNOWN_UNSUPPORTED[uid]
  throw new AppError(
    'UNSUPPORTED',
    `${where}: transfer syntax ${uid}${known ? ` (${known})` : ''} is not supported for pixel decoding`
  )
}

/** All UIDs the decoder accepts. */
export function supportedTransferSyntaxes(): string[] {
  return SUPPORTED.map((ts) => ts.uid)
}
