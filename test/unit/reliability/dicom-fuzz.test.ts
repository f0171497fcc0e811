import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src/shared/errors'
import { decodeParsedDicom } from '../../../src/main/imaging/dicom/decode'
import { parseDicomFull } from '../../../src/main/imaging/dicom/parse'
import { segFramesForSlice } from '../../../src/main/imaging/seg/map-frames'
import { isSegmentation, readSegIndex } from '../../../src/main/imaging/seg/seg-header'
import { grey12, scratchDir, writeImage } from '../../fixtures/dicom/corpus'
import { GREY_TRANSCODES, transcode } from '../../fixtures/dicom/tools'
import { rng } from '../../helpers/prng'

/**
 * Fuzzing the DICOM parser and every decoder with mutated files: truncation, bit flips, random bytes in
 * lengths and VRs, huge declared sizes. Each case must end in a decoded image or an AppError; never a
 * crash, a hang, or a non-AppError exception. Allocation is bounded by the imaging core's limits, checked
 * via the process RSS staying below a stated bound.
 */

const CASES = Number(process.env.NEUROPATH_FUZZ_CASES ?? 10_000)
const RSS_BOUND_MB = 1500

/** Mutation kind 5 declares 65535 × 65535 frames: far above the 2^25-sample limit. */
const HUGE = 5

/** Mutates a copy of `src`; `hugeDims` says whether both Rows and Columns were set to 65535. */
function mutate(src: Buffer, r: () => number): { bytes: Buffer; hugeDims: boolean } {
  const kind = Math.floor(r() * 6)
  const bytes = mutateAs(kind, Buffer.from(src), r)
  return { bytes, hugeDims: kind === HUGE && bytes.length > 0 && hugeDimsWritten }
}

let hugeDimsWritten = false

function mutateAs(kind: number, b: Buffer, r: () => number): Buffer {
  const at = () => Math.floor(r() * b.length)
  switch (kind) {
    case 0: // truncate
      return b.subarray(0, Math.floor(r() * b.length))
    case 1: // flip bits
      for (let i = 0, n = 1 + Math.floor(r() * 16); i < n; i++) b[at()] ^= 1 << Math.floor(r() * 8)
      return b
    case 2: {
      // corrupt a 32-bit length somewhere in the header area (first 1 KiB), often to a huge value
      const p = Math.floor(r() * Math.min(1024, b.length - 4))
      b.writeUInt32LE(r() < 0.5 ? 0xffffff00 + Math.floor(r() * 255) : Math.floor(r() * 0xffffffff), p)
      return b
    }
    case 3: {
      // corrupt a VR (two ASCII bytes) in the header area
      const p = Math.floor(r() * Math.min(1024, b.length - 2))
      b[p] = 65 + Math.floor(r() * 26)
      b[p + 1] = 65 + Math.floor(r() * 26)
      return b
    }
    case 4: // random bytes
      for (let i = 0, n = 1 + Math.floor(r() * 64); i < n; i++) b[at()] = Math.floor(r() * 256)
      return b
    default: {
      // declare huge image dimensions: Rows/Columns (0028,0010)/(0028,0011) and Number of Frames
      const rows = b.indexOf(Buffer.from([0x28, 0x00, 0x10, 0x00]))
      if (rows >= 0 && rows + 10 < b.length) b.writeUInt16LE(65535, rows + 8)
      const cols = b.indexOf(Buffer.from([0x28, 0x00, 0x11, 0x00]))
      if (cols >= 0 && cols + 10 < b.length) b.writeUInt16LE(65535, cols + 8)
      hugeDimsWritten = rows >= 0 && rows + 10 < b.length && cols >= 0 && cols + 10 < b.length
      return b
    }
  }
}

let sources: { name: string; bytes: Buffer }[] = []
let researchSources: { name: string; bytes: Buffer }[] = []
let scratch: ReturnType<typeof scratchDir>

beforeAll(() => {
  scratch = scratchDir('fuzz')
  const base = writeImage(scratch.dir, 'base.dcm', grey12().spec)
  sources = [{ name: 'explicit-le', bytes: fs.readFileSync(base) }]
  // One seed file per codec family, transcoded by dcmtk/gdcm.
  for (const name of ['big-endian', 'deflated', 'rle-dcmtk', 'jpeg-lossless-sv1', 'jpeg-ls-dcmtk', 'j2k-lossless']) {
    const t = GREY_TRANSCODES.find((x) => x.name === name)!
    const out = transcode(t, base, path.join(scratch.dir, `${name}.dcm`))
    sources.push({ name, bytes: fs.readFileSync(out) })
  }
  // pydicom seeds for the parsing added with issue 16: a VOI LUT Sequence (0028,3010), and a SEG whose
  // per-frame groups name source images (Derivation Image → Source Image Sequence) and segments.
  const fixtures = path.resolve(__dirname, '../../fixtures/pixel-data')
  const py = (script: string, dir: string) =>
    JSON.parse(execFileSync('/usr/bin/python3', [path.join(fixtures, script), dir], { encoding: 'utf8' }))
  const voi = py('make_voi_lut.py', path.join(scratch.dir, 'voi')) as { file: string }
  const seg = py('make_seg_series.py', path.join(scratch.dir, 'seg')) as { seg: string }
  // Kept apart from `sources`: adding seeds there would reshuffle which mutation meets which codec.
  researchSources = [
    { name: 'voi-lut', bytes: fs.readFileSync(voi.file) },
    { name: 'seg', bytes: fs.readFileSync(seg.seg) }
  ]
}, 60_000)
afterAll(() => scratch?.cleanup())

describe('DICOM fuzzing', () => {
  it('refuses a frame above 2^25 samples before allocating, and accepts one at the limit', () => {
    const base = fs.readFileSync(path.join(scratch.dir, 'base.dcm'))
    const withDims = (rows: number, cols: number) => {
      const b = Buffer.from(base)
      b.writeUInt16LE(rows, b.indexOf(Buffer.from([0x28, 0x00, 0x10, 0x00])) + 8)
      b.writeUInt16LE(cols, b.indexOf(Buffer.from([0x28, 0x00, 0x11, 0x00])) + 8)
      return b
    }
    // 8192 × 4097 = 2^25 + 8192 samples: refused, naming the file and the limit.
    const over = () => decodeParsedDicom(parseDicomFull(withDims(8192, 4097), 'over.dcm'), 0)
    return expect(over())
      .rejects.toMatchObject({
        code: 'UNSUPPORTED',
        message: expect.stringMatching(/over\.dcm: 8192×4097×1 .*32M-sample limit/)
      })
      .then(async () => {
        // 8192 × 4096 = 2^25 exactly passes the limit; it fails later only because the pixel data is short.
        const at = decodeParsedDicom(parseDicomFull(withDims(8192, 4096), 'at.dcm'), 0)
        await expect(at).rejects.toThrow(AppError)
        await expect(at).rejects.not.toThrow(/sample limit/)
      })
  })

  it(`survives ${CASES} mutated files across transfer syntaxes with a decoded image or a clear error`, async () => {
    const r = rng(20261126)
    const outcomes = { decoded: 0, errors: 0 }
    /** Cases declaring 65535 × 65535 frames, and how many of those were refused for the sample limit. */
    const huge = { cases: 0, refused: 0 }
    const codes = new Map<string, number>()
    let peakRss = 0
    for (let i = 0; i < CASES; i++) {
      const src = sources[i % sources.length]
      const { bytes, hugeDims } = mutate(src.bytes, r)
      // Explicit little endian stores Rows/Columns little endian right after the tag: the mutation reached them.
      const counted = hugeDims && src.name === 'explicit-le'
      if (counted) huge.cases++
      const name = `case-${i}-${src.name}.dcm`
      const started = performance.now()
      try {
        const parsed = parseDicomFull(bytes, name)
        const res = await decodeParsedDicom(parsed, 0)
        expect(res.image.modality.length).toBe(res.image.width * res.image.height * res.image.samplesPerPixel)
        outcomes.decoded++
      } catch (err) {
        if (!(err instanceof AppError)) throw new Error(`case ${i} (${src.name}) threw a non-AppError: ${String(err)}`)
        expect(err.message, `case ${i}`).toContain(name)
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1)
        outcomes.errors++
        if (counted && err.code === 'UNSUPPORTED' && /exceeds the 32M-sample limit/.test(err.message)) huge.refused++
      }
      // A case that takes seconds is a hang in waiting.
      expect(performance.now() - started, `case ${i} (${src.name}) took too long`).toBeLessThan(5000)
      if (i % 500 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss / 2 ** 20)
    }
    console.log(
      `[fuzz] ${CASES} DICOM cases: ${outcomes.decoded} decoded, ${outcomes.errors} clear errors (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}); peak RSS ${Math.round(peakRss)} MB`
    )
    expect(outcomes.errors).toBeGreaterThan(CASES / 10)
    // Every file declaring 65535 × 65535 was refused before any allocation, for the 2^25-sample limit.
    expect(huge.cases).toBeGreaterThan(0)
    expect(huge.refused).toBe(huge.cases)
    expect(peakRss).toBeLessThan(RSS_BOUND_MB)
  }, 600_000)

  it(`survives ${Math.ceil(CASES / 4)} mutated VOI LUT and SEG files: LUT, segment and source-image parsing`, async () => {
    const r = rng(20261207)
    const n = Math.ceil(CASES / 4)
    const seen = { voiLuts: 0, segIndexes: 0, errors: 0 }
    let peakRss = 0
    for (let i = 0; i < n; i++) {
      const src = researchSources[i % researchSources.length]
      const { bytes } = mutate(src.bytes, r)
      const name = `research-${i}-${src.name}.dcm`
      const started = performance.now()
      try {
        const parsed = parseDicomFull(bytes, name)
        if (isSegmentation(parsed.dataSet)) {
          const seg = readSegIndex(parsed.dataSet, name)
          segFramesForSlice(seg.frames, { sopInstanceUid: seg.referencedInstances[0], frame: 0, position: [0, 0, 0] })
          seen.segIndexes++
        }
        const res = await decodeParsedDicom(parsed, 0)
        if (res.image.voiLuts?.length) {
          const lut = res.image.voiLuts[0]
          expect(lut.data.length).toBeGreaterThan(0)
          expect(lut.bits).toBeGreaterThanOrEqual(8)
          seen.voiLuts++
        }
      } catch (err) {
        if (!(err instanceof AppError)) throw new Error(`case ${i} (${src.name}) threw a non-AppError: ${String(err)}`)
        expect(err.message, `case ${i}`).toContain(name)
        seen.errors++
      }
      expect(performance.now() - started, `case ${i} (${src.name}) took too long`).toBeLessThan(5000)
      if (i % 500 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss / 2 ** 20)
    }
    console.log(
      `[fuzz] ${n} VOI LUT / SEG cases: ${seen.voiLuts} with a VOI LUT read, ${seen.segIndexes} SEG indexes read, ${seen.errors} clear errors; peak RSS ${Math.round(peakRss)} MB`
    )
    // Mutations leave many files readable: the parsers under test really ran, on intact and damaged input.
    expect(seen.voiLuts).toBeGreaterThan(n / 20)
    expect(seen.segIndexes).toBeGreaterThan(n / 20)
    expect(seen.errors).toBeGreaterThan(n / 20)
    expect(peakRss).toBeLessThan(RSS_BOUND_MB)
  }, 600_000)
})
