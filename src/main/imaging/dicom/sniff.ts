/** How a DICOM stream starts, which decides how we hand it to dicom-parser. */
export type DicomLayout =
  /** 128-byte preamble then 'DICM' (PS3.10 §7.1). */
  | 'part10'
  /** 'DICM' at byte 0: a preamble-less Part 10 stream. */
  | 'no-preamble'
  /** No prefix, but the stream starts with File Meta elements (0002,xxxx). */
  | 'raw-meta'
  /** No meta information at all: a bare Explicit VR Little Endian data set. */
  | 'raw-explicit'
  /** No meta information at all: a bare Implicit VR Little Endian data set (old ACR-NEMA style exports). */
  | 'raw-implicit'

const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' ')
)

/** Groups a bare data set plausibly starts with (meta, identifying, patient, acquisition, image). */
const FIRST_GROUPS = new Set([0x0002, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028])

/**
 * Recognises DICOM from the first bytes, with or without preamble/meta. Bare data sets are accepted only
 * when the first element is plausible (known group, known VR or a length that fits), so text files,
 * images and archives are not mistaken for DICOM.
 * @param head at least the first 132 bytes when available.
 * @param totalLength full file length, to bound implicit element lengths.
 */
export function sniffDicomLayout(head: Uint8Array, totalLength = head.length): DicomLayout | null {
  const isDicm = (at: number): boolean =>
    head.length >= at + 4 &&
    head[at] === 0x44 &&
    head[at + 1] === 0x49 &&
    head[at + 2] === 0x43 &&
    head[at + 3] === 0x4d
  if (isDicm(128)) return 'part10'
  if (isDicm(0)) return 'no-preamble'
  if (head.length < 8) return null
  const group = head[0] | (head[1] << 8)
  const element = head[2] | (head[3] << 8)
  if (!FIRST_GROUPS.has(group) || element > 0x1fff) return null
  const vr = String.fromCharCode(head[4], head[5])
  if (VRS.has(vr)) return group === 0x0002 ? 'raw-meta' : 'raw-explicit'
  const length = (head[4] | (head[5] << 8) | (head[6] << 16) | (head[7] << 24)) >>> 0
  if (group === 0x0002) return null
  return length <= totalLength - 8 && length < 0x10000 ? 'raw-implicit' : null
}
