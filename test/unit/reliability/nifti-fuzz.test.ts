import fs from 'node:fs'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src/shared/errors'
import { loadNiftiVolume, planeGeometry, volumeSlice, VOLUME_PLANES } from '../../../src/main/imaging/nifti'
import { scratchDir } from '../../fixtures/dicom/corpus'
import { makeVolumes } from '../../fixtures/nifti/volumes'
import { rng } from '../../helpers/prng'

/**
 * Fuzzing the NIfTI reader with mutated files, as the DICOM reader is fuzzed: truncation, bit flips,
 * random header fields (dim, datatype, bitpix, vox_offset, scl_*, srow, quatern), random bytes, and gzip
 * streams of the mutated bytes or cut-off gzip streams. Each case must end in a volume whose slices cut
 * cleanly, or an AppError naming the file; never a crash, a hang or a non-AppError. Memory stays bounded.
 */

const CASES = Number(process.env.NEUROPATH_FUZZ_CASES ?? 5000)
const RSS_BOUND_MB = 1500

/** NIfTI-1 header fields worth hitting (offset, width in bytes). */
const FIELDS: [number, number][] = [
  [0, 4], // sizeof_hdr
  [40, 2],
  [42, 2],
  [44, 2],
  [46, 2],
  [48, 2], // dim[0..4]
  [70, 2],
  [72, 2], // datatype, bitpix
  [76, 4],
  [80, 4], // pixdim[0..1]
  [108, 4],
  [112, 4],
  [116, 4], // vox_offset, scl_slope, scl_inter
  [252, 2],
  [254, 2],
  [256, 4],
  [268, 4],
  [280, 4],
  [300, 4], // qform/sform codes, quatern_b, qoffset_x, srow
  [344, 4] // magic
]

function mutate(src: Buffer, r: () => number): Buffer {
  const b = Buffer.from(src)
  const at = () => Math.floor(r() * b.length)
  switch (Math.floor(r() * 5)) {
    case 0:
      return b.subarray(0, Math.floor(r() * b.length))
    case 1:
      for (let i = 0, n = 1 + Math.floor(r() * 16); i < n; i++) b[at()] ^= 1 << Math.floor(r() * 8)
      return b
    case 2: {
      const [off, width] = FIELDS[Math.floor(r() * FIELDS.length)]
      const pick = r()
      if (width === 2) b.writeInt16LE(pick < 0.3 ? 32767 : pick < 0.5 ? -1 : Math.floor(r() * 65536) - 32768, off)
      else if (pick < 0.3) b.writeFloatLE([NaN, Infinity, -1, 1e30, 0][Math.floor(r() * 5)], off)
      else b.writeUInt32LE(Math.floor(r() * 0xffffffff), off)
      return b
    }
    case 3:
      for (let i = 0, n = 1 + Math.floor(r() * 64); i < n; i++) b[at()] = Math.floor(r() * 256)
      return b
    default: {
      // Large but legal-looking dims: the reader must refuse or fail on the data, not allocate blindly.
      b.writeInt16LE(3, 40)
      for (const off of [42, 44, 46]) b.writeInt16LE(256 + Math.floor(r() * 2048), off)
      return b
    }
  }
}

let sources: { name: string; bytes: Buffer }[] = []
let scratch: ReturnType<typeof scratchDir>

beforeAll(() => {
  scratch = scratchDir('nifti-fuzz')
  const cases = makeVolumes(scratch.dir).filter((c) => c.version === 1 && !c.file.endsWith('.hdr'))
  sources = cases.map((c) => {
    const raw = fs.readFileSync(scratch.file(c.file))
    return { name: c.name, bytes: c.file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw }
  })
}, 120_000)
afterAll(() => scratch?.cleanup())

describe('NIfTI fuzzing', () => {
  it(`survives ${CASES} mutated .nii/.nii.gz files with a volume or a clear error`, async () => {
    const r = rng(20261207)
    const outcomes = { read: 0, errors: 0 }
    const codes = new Map<string, number>()
    let peakRss = 0
    for (let i = 0; i < CASES; i++) {
      const src = sources[i % sources.length]
      let bytes = mutate(src.bytes, r)
      const gz = r() < 0.4
      if (gz) {
        bytes = zlib.gzipSync(bytes, { level: 1 })
        // Sometimes cut the gzip stream itself.
        if (r() < 0.3) bytes = bytes.subarray(0, Math.floor(r() * bytes.length))
      }
      const file = scratch.file(`case-${i}-${src.name}.nii${gz ? '.gz' : ''}`)
      fs.writeFileSync(file, bytes)
      const started = performance.now()
      try {
        const v = await loadNiftiVolume(file)
        // The last slice of each plane: exercises the far end of every offset table.
        for (const plane of VOLUME_PLANES) {
          const { image, geometry } = volumeSlice(v, plane, planeGeometry(v, plane).slices - 1)
          expect(image.modality.length).toBe(image.width * image.height * image.samplesPerPixel)
          expect(geometry.slices).toBeGreaterThan(0)
        }
        outcomes.read++
      } catch (err) {
        if (!(err instanceof AppError)) throw new Error(`case ${i} (${src.name}) threw a non-AppError: ${String(err)}`)
        expect(err.message, `case ${i}`).toContain(file)
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1)
        outcomes.errors++
      } finally {
        fs.rmSync(file)
      }
      expect(performance.now() - started, `case ${i} (${src.name}) took too long`).toBeLessThan(5000)
      if (i % 100 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss / 2 ** 20)
    }
    console.log(
      `[fuzz] ${CASES} NIfTI cases: ${outcomes.read} read, ${outcomes.errors} clear errors (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}); peak RSS ${Math.round(peakRss)} MB`
    )
    expect(outcomes.read + outcomes.errors).toBe(CASES)
    expect(outcomes.errors).toBeGreaterThan(CASES / 10)
    expect(outcomes.read).toBeGreaterThan(CASES / 10)
    expect(peakRss).toBeLessThan(RSS_BOUND_MB)
  }, 600_000)
})
