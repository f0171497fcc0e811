import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { encodeDicom, type WriteElement } from '../../../src/main/imaging'

/** Synthetic images for the viewer tests (unit and e2e): small, deterministic, written into a temp folder. */

export const SERIES_UID = '1.2.826.0.1.3680043.10.1419.77.1'
export const STUDY_UID = '1.2.826.0.1.3680043.10.1419.77.0'

/** A scratch folder under os.tmpdir(); `cleanup` removes it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `np-viewer-${prefix}-`)))
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Modality value (HU) of pixel (x, y) on slice `slice` of a w×h head phantom: air outside, a skull ring
 * (≈ 900–1300 HU), brain (≈ 17–48 HU) with two CSF ventricles (≈ 3–13 HU), and a little texture so every
 * window shows structure. The head shrinks towards the ends of a series, like a real head. Integers only.
 */
export function ctStored(x: number, y: number, slice: number, w: number, h: number): number {
  const texture = ((x * 7 + y * 13 + slice * 5) % 11) - 5
  const radius = 0.45 * Math.min(w, h) * (1 - (0.3 * Math.abs((slice % 80) - 40)) / 40)
  const dx = (x - (w - 1) / 2) / radius
  const dy = (y - (h - 1) / 2) / (radius * 1.12)
  const r = Math.hypot(dx, dy)
  if (r > 1) return -1000 + ((x + y) % 3)
  if (r > 0.9) return 900 + Math.round(400 * (1 - Math.abs(r - 0.95) / 0.05)) + texture
  const vx = Math.abs(dx) - 0.17
  const vy = dy + 0.05
  if ((vx / 0.09) ** 2 + (vy / 0.32) ** 2 < 1) return 8 + texture
  return 32 + Math.round(10 * Math.sin(dx * 11) * Math.cos(dy * 8)) + texture
}

export interface SliceOptions {
  rows: number
  columns: number
  /** 0-based slice index: sets InstanceNumber, z position and the pixel pattern offset. */
  slice: number
  frames?: number
  seriesUID?: string
  seriesNumber?: number
  description?: string
  /** z of ImagePositionPatient; default slice × 2.5 mm. */
  z?: number
  instanceNumber?: number
  /** (0028,1052)/(0028,1053); default intercept −1024, slope 1 over stored = value + 1024. */
  rescale?: { slope: number; intercept: number }
  windows?: { center: number; width: number; explanation?: string }[]
  /** (0008,0060); default CT. MR slices store `ctStored + MR_OFFSET` with no rescale (no HU). */
  modality?: 'CT' | 'MR'
  transferSyntaxUID?: string
  /** Omit Pixel Data (7FE0,0010). */
  noPixels?: boolean
}

/**
 * A CT slice (signed 16-bit, MONOCHROME2) whose modality values equal `ctStored` (stored = value − intercept,
 * so with the default rescale stored values are value + 1024). Multi-frame files repeat the pattern with
 * `slice + frame`.
 */
export function ctSliceBytes(o: SliceOptions): Uint8Array {
  const frames = o.frames ?? 1
  const mr = o.modality === 'MR'
  // MR: stored = ctStored + MR_OFFSET (so rescale intercept −MR_OFFSET would give ctStored back); written
  // without a rescale, so the modality values are the stored ones and carry no HU.
  const rescale = mr ? { slope: 1, intercept: -MR_OFFSET } : (o.rescale ?? { slope: 1, intercept: -1024 })
  const n = o.rows * o.columns
  const pixels = new Int16Array(n * frames)
  for (let f = 0; f < frames; f++)
    for (let y = 0; y < o.rows; y++)
      for (let x = 0; x < o.columns; x++)
        pixels[f * n + y * o.columns + x] = Math.round(
          (ctStored(x, y, o.slice + f, o.columns, o.rows) - rescale.intercept) / rescale.slope
        )
  const els: WriteElement[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
    { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.10.1419.77.3.${o.slice}.${o.seriesNumber ?? 1}` },
    { tag: 0x00080060, vr: 'CS', value: o.modality ?? 'CT' },
    { tag: 0x0008103e, vr: 'LO', value: o.description ?? 'HEAD AXIAL' },
    { tag: 0x00100010, vr: 'PN', value: 'Phantom^Viewer' },
    { tag: 0x00100020, vr: 'LO', value: 'VIEW-0001' },
    { tag: 0x0020000d, vr: 'UI', value: STUDY_UID },
    { tag: 0x0020000e, vr: 'UI', value: o.seriesUID ?? SERIES_UID },
    { tag: 0x00200011, vr: 'IS', value: o.seriesNumber ?? 1 },
    { tag: 0x00200013, vr: 'IS', value: o.instanceNumber ?? o.slice + 1 },
    { tag: 0x00200032, vr: 'DS', value: [-120, -120, o.z ?? o.slice * 2.5] },
    { tag: 0x00200037, vr: 'DS', value: [1, 0, 0, 0, 1, 0] },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: o.rows },
    { tag: 0x00280011, vr: 'US', value: o.columns },
    { tag: 0x00280030, vr: 'DS', value: [0.5, 0.5] },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 16 },
    { tag: 0x00280102, vr: 'US', value: 15 },
    { tag: 0x00280103, vr: 'US', value: 1 },
    ...(mr
      ? []
      : ([
          { tag: 0x00281052, vr: 'DS', value: rescale.intercept },
          { tag: 0x00281053, vr: 'DS', value: rescale.slope }
        ] as WriteElement[]))
  ]
  if (frames > 1) els.push({ tag: 0x00280008, vr: 'IS', value: frames })
  if (o.windows) {
    els.push({ tag: 0x00281050, vr: 'DS', value: o.windows.map((w) => w.center) })
    els.push({ tag: 0x00281051, vr: 'DS', value: o.windows.map((w) => w.width) })
    els.push({ tag: 0x00281055, vr: 'LO', value: o.windows.map((w) => w.explanation ?? '') })
  }
  if (!o.noPixels) els.push({ tag: 0x7fe00010, vr: 'OW', value: pixels })
  return encodeDicom(els, o.transferSyntaxUID ? { transferSyntaxUID: o.transferSyntaxUID } : undefined)
}

/** Added to the phantom's values in MR slices, so they are positive like MR signal. */
export const MR_OFFSET = 1024

/** Modality value of an MR slice's pixel (x, y): the phantom plus MR_OFFSET. */
export function mrStored(x: number, y: number, slice: number, w: number, h: number): number {
  return ctStored(x, y, slice, w, h) + MR_OFFSET
}

/** Writes a CT slice file and returns its path. */
export function writeCtSlice(dir: string, name: string, o: SliceOptions): string {
  const p = path.join(dir, name)
  fs.mkdirSync(path.dirname(p), { recursive: true })
  fs.writeFileSync(p, ctSliceBytes(o))
  return p
}

/** The head windows most CT files carry: brain first (the default), then bone. */
export const FILE_WINDOWS = [
  { center: 40, width: 80, explanation: 'BRAIN' },
  { center: 600, width: 2800, explanation: 'BONE' }
]

/**
 * A series of `count` slices in `dir`, written in scrambled order with file names that do not sort like the
 * slices, so the viewer must sort by position.
 * @returns the paths in true slice order.
 */
export function writeCtSeries(dir: string, count: number, rows: number, columns: number): string[] {
  const paths: string[] = new Array(count)
  fs.mkdirSync(dir, { recursive: true })
  for (let k = 0; k < count; k++) {
    const slice = (k * 7) % count
    paths[slice] = writeCtSlice(dir, `IM${String(k).padStart(4, '0')}.dcm`, {
      rows,
      columns,
      slice,
      windows: FILE_WINDOWS
    })
  }
  return paths
}

/** An 8-bit grey PNG whose pixel (x, y) is (x * 3 + y) % 256. */
export async function writePng(dir: string, name: string, width: number, height: number): Promise<string> {
  const data = Buffer.alloc(width * height)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x * 3 + y) % 256
  const p = path.join(dir, name)
  fs.mkdirSync(dir, { recursive: true })
  await sharp(data, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(p)
  return p
}

/** Series of the bad files, so they do not join the good test series. */
export const BAD_SERIES_UID = '1.2.826.0.1.3680043.10.1419.77.66'

/**
 * The bad files the viewer must explain: not DICOM, truncated pixel data, no pixel data, an unsupported
 * transfer syntax, and a header that does not parse.
 */
export function writeBadFiles(dir: string): {
  text: string
  truncated: string
  noPixels: string
  unsupported: string
  brokenHeader: string
} {
  fs.mkdirSync(dir, { recursive: true })
  const text = path.join(dir, 'notes.dcm')
  fs.writeFileSync(text, 'This is a text file with a .dcm name, not DICOM.\n'.repeat(10))
  const bad = { seriesUID: BAD_SERIES_UID, seriesNumber: 9, description: 'BROKEN' }
  const full = ctSliceBytes({ rows: 64, columns: 64, slice: 0, ...bad })
  const truncated = path.join(dir, 'truncated.dcm')
  fs.writeFileSync(truncated, full.subarray(0, full.length - 3000))
  const noPixels = writeCtSlice(dir, 'no-pixels.dcm', { rows: 64, columns: 64, slice: 1, noPixels: true, ...bad })
  // A Part 10 preamble and prefix followed by a meta group whose length runs past the end of the file.
  const brokenHeader = path.join(dir, 'broken-header.dcm')
  const junk = Buffer.alloc(160)
  junk.write('DICM', 128, 'latin1')
  junk.set([0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 0x04, 0x00, 0xff, 0xff, 0xff, 0x00, 0x02, 0x00, 0x10, 0x00], 132)
  fs.writeFileSync(brokenHeader, junk)
  // MPEG-2 Main Profile: a transfer syntax no viewer decoder handles.
  const unsupported = path.join(dir, 'mpeg2.dcm')
  const els: WriteElement[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.77.1.4.1' },
    { tag: 0x00080018, vr: 'UI', value: '1.2.826.0.1.3680043.10.1419.77.9' },
    { tag: 0x00080060, vr: 'CS', value: 'XC' },
    { tag: 0x00280002, vr: 'US', value: 3 },
    { tag: 0x00280004, vr: 'CS', value: 'YBR_PARTIAL_420' },
    { tag: 0x00280006, vr: 'US', value: 0 },
    { tag: 0x00280010, vr: 'US', value: 16 },
    { tag: 0x00280011, vr: 'US', value: 16 },
    { tag: 0x00280100, vr: 'US', value: 8 },
    { tag: 0x00280101, vr: 'US', value: 8 },
    { tag: 0x00280102, vr: 'US', value: 7 },
    { tag: 0x00280103, vr: 'US', value: 0 }
  ]
  fs.writeFileSync(
    unsupported,
    encodeDicom(els, {
      transferSyntaxUID: '1.2.840.10008.1.2.4.100',
      encapsulatedFrames: [[new Uint8Array([0, 0, 1, 0xb3, 1, 2, 3, 4])]]
    })
  )
  return { text, truncated, noPixels, unsupported, brokenHeader }
}

/**
 * An 8-bit MONOCHROME2 Secondary Capture file of `rows`×`columns` `pixels` (row-major), plus `extra` elements
 * (e.g. Pixel Spacing (0028,0030) or Pixel Aspect Ratio (0028,0034)); written to `file`, which is returned.
 */
export function writeGrey8(
  file: string,
  rows: number,
  columns: number,
  pixels: Uint8Array,
  extra: WriteElement[] = []
): string {
  const els: WriteElement[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
    { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.10.1419.66.${path.basename(file).length}` },
    { tag: 0x00080060, vr: 'CS', value: 'OT' },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: rows },
    { tag: 0x00280011, vr: 'US', value: columns },
    { tag: 0x00280100, vr: 'US', value: 8 },
    { tag: 0x00280101, vr: 'US', value: 8 },
    { tag: 0x00280102, vr: 'US', value: 7 },
    { tag: 0x00280103, vr: 'US', value: 0 },
    ...extra,
    { tag: 0x7fe00010, vr: 'OB', value: pixels }
  ]
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, encodeDicom(els))
  return file
}
