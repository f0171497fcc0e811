import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { decodeImage, readImageHeader, renderWindowed, sortSeries } from '../imaging'
import { encodeDicom, type WriteElement } from '../imaging/dicom/writer'

/**
 * Imaging benchmarks on synthetic 512×512 12-bit-in-16 MR slices written to a temp directory:
 * uncompressed decode rate, 200-slice series open (headers + sort + first slice), render rate, and
 * per-codec decode rates for frames encoded with dcmjs-codecs.
 */

const SIZE = 512
const requireHere = createRequire(__filename)

function phantom(seed: number): Uint16Array {
  const px = new Uint16Array(SIZE * SIZE)
  let s = seed
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      s = (Math.imul(s, 48271) >>> 0) % 0x7fffffff
      const r = Math.hypot(x - 256, y - 256)
      px[y * SIZE + x] = r < 200 ? 1500 + ((x * 3 + y) % 800) + (s & 63) : s & 31
    }
  }
  return px
}

function slice(i: number, pixels: Uint16Array, withWindow: boolean): WriteElement[] {
  const els: WriteElement[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
    { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.10.1419.9.${i + 1}` },
    { tag: 0x00080060, vr: 'CS', value: 'MR' },
    { tag: 0x00100020, vr: 'LO', value: 'BENCH' },
    { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.10.1419.9' },
    { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.10.1419.9.0' },
    { tag: 0x00200013, vr: 'IS', value: i + 1 },
    // Written in a scrambled order so the sort has work to do.
    { tag: 0x00200032, vr: 'DS', value: [-120, -120, ((i * 37) % 200) * 1.5] },
    { tag: 0x00200037, vr: 'DS', value: [1, 0, 0, 0, 1, 0] },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: SIZE },
    { tag: 0x00280011, vr: 'US', value: SIZE },
    { tag: 0x00280030, vr: 'DS', value: [0.5, 0.5] },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 12 },
    { tag: 0x00280102, vr: 'US', value: 11 },
    { tag: 0x00280103, vr: 'US', value: 0 },
    { tag: 0x7fe00010, vr: 'OW', value: pixels }
  ]
  if (withWindow) {
    els.push({ tag: 0x00281050, vr: 'DS', value: 1800 }, { tag: 0x00281051, vr: 'DS', value: 1200 })
  }
  return els
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

interface Codecs {
  Context: new (a: Record<string, unknown>) => unknown
  NativeCodecs: Record<string, (ctx: unknown, p?: Record<string, unknown>) => { getEncodedBuffer(): Uint8Array }> & {
    initializeAsync(): Promise<void>
  }
}

/** Encodes one frame with dcmjs-codecs for the per-codec decode figures. */
async function encodeWith(method: string, pixels: Uint16Array, params: Record<string, unknown>): Promise<Uint8Array> {
  const codecs = requireHere('dcmjs-codecs') as Codecs
  await codecs.NativeCodecs.initializeAsync()
  const ctx = new codecs.Context({
    width: SIZE,
    height: SIZE,
    bitsAllocated: 16,
    bitsStored: 12,
    samplesPerPixel: 1,
    pixelRepresentation: 0,
    planarConfiguration: 0,
    photometricInterpretation: 'MONOCHROME2',
    decodedBuffer: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength)
  })
  return codecs.NativeCodecs[method](ctx, params).getEncodedBuffer().slice()
}

const CODECS: [string, string, string, Record<string, unknown>][] = [
  ['rle', '1.2.840.10008.1.2.5', 'encodeRle', {}],
  ['jpegLossless', '1.2.840.10008.1.2.4.70', 'encodeJpeg', { lossy: false }],
  ['jpegLs', '1.2.840.10008.1.2.4.80', 'encodeJpegLs', { lossy: false }],
  ['j2k', '1.2.840.10008.1.2.4.90', 'encodeJpeg2000', { lossy: false }],
  ['htj2k', '1.2.840.10008.1.2.4.201', 'encodeHtJpeg2000', { lossy: false }]
]

/**
 * Runs the imaging benchmarks.
 * @returns figures keyed by name: rates in slices/s (or frames/s), times in ms.
 */
export async function benchImaging(): Promise<Record<string, number | string>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'np-bench-imaging-'))
  const out: Record<string, number | string> = { sliceSize: `${SIZE}x${SIZE} 16-bit (12 stored)` }
  try {
    const pixels = phantom(7)
    const files: string[] = []
    for (let i = 0; i < 200; i++) {
      const f = path.join(dir, `IM${String(i).padStart(4, '0')}`)
      await writeFile(f, encodeDicom(slice(i, pixels, i % 2 === 0)))
      files.push(f)
    }
    // Warm-up: JIT and file cache, as a viewer that has just listed the folder would have.
    for (const f of files.slice(0, 10)) await decodeImage(f)

    const n = 200
    // Load from other processes skews every figure here; record it next to them.
    out.loadAverage1m = Math.round(os.loadavg()[0] * 100) / 100
    out.cpuCount = os.cpus().length
    const decodeMs = await timeIt(async () => {
      for (const f of files.slice(0, n)) await decodeImage(f)
    })
    out.uncompressedSlicesPerSec = Math.round((n / decodeMs) * 1000)

    const openMs = await timeIt(async () => {
      const headers = await Promise.all(files.map(async (file) => ({ file, ...(await readImageHeader(file)) })))
      const sorted = sortSeries(headers)
      await decodeImage(sorted[0].file)
    })
    out.seriesOpen200Ms = Math.round(openMs)

    const img = await decodeImage(files[0])
    const renderMs = await timeIt(async () => {
      for (let i = 0; i < 100; i++) renderWindowed(img)
    })
    out.renderWindowedPerSec = Math.round((100 / renderMs) * 1000)

    for (const [name, uid, method, params] of CODECS) {
      try {
        const frame = await encodeWith(method, pixels, params)
        const file = path.join(dir, `${name}.dcm`)
        await writeFile(
          file,
          encodeDicom(slice(0, pixels, true), { transferSyntaxUID: uid, encapsulatedFrames: [[frame]] })
        )
        const first = await decodeImage(file)
        if (first.stored[256 * SIZE + 256] !== pixels[256 * SIZE + 256]) throw new Error('decoded pixels differ')
        const reps = 20
        const ms = await timeIt(async () => {
          for (let i = 0; i < reps; i++) await decodeImage(file)
        })
        out[`${name}FramesPerSec`] = Math.round((reps / ms) * 1000)
      } catch (err) {
        out[`${name}FramesPerSec`] = `failed: ${err instanceof Error ? err.message : String(err)}`
      }
    }
    return out
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
