import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage, dicomSummary } from '../../../src/main/imaging'
import {
  COLS,
  grey12,
  grey8,
  maxAbsDiff,
  rmsDiff,
  ROWS,
  scratchDir,
  signed16,
  writeImage
} from '../../fixtures/dicom/corpus'
import { encodeHtj2k, GREY_TRANSCODES, referenceDecode, transcode } from '../../fixtures/dicom/tools'

const scratch = scratchDir('ts')
afterAll(() => scratch.cleanup())

/** Lossy tolerances, in stored units, stated per codec and checked on the 12-bit phantom (range 0..4095). */
const LOSSY_MAX_ERROR: Record<string, number> = { 'jpeg-ls-near': 2, 'j2k-lossy': 64 }
const LOSSY_RMS: Record<string, number> = { 'jpeg-ls-near': 2, 'j2k-lossy': 10 }

describe.each([
  ['unsigned 12-bit', grey12],
  ['signed 16-bit', signed16]
])('%s source through dcmtk/gdcm', (label, make) => {
  const { values, spec } = make()
  const slug = label.replace(/\W+/g, '-')
  let src = ''
  let sourceHash = ''
  beforeAll(async () => {
    src = writeImage(scratch.dir, `${slug}-src.dcm`, spec)
    sourceHash = (await dicomSummary(src)).pixels.sha256
  })

  it('decodes the uncompressed source to the phantom values', async () => {
    const img = await decodeImage(src)
    expect(Array.from(img.stored)).toEqual(Array.from(values))
  })

  const cases = GREY_TRANSCODES.filter((t) => !(slug.startsWith('signed') && t.lossy))
  it.each(cases.map((t) => [t.name, t] as const))('%s', async (_name, t) => {
    const out = transcode(t, src, scratch.file(`${slug}-${t.name}.dcm`))
    const summary = await dicomSummary(out)
    expect(summary.transferSyntaxUID).toBe(t.transferSyntaxUID)
    expect([summary.rows, summary.columns]).toEqual([ROWS, COLS])
    const img = await decodeImage(out)
    if (!t.lossy) {
      expect(maxAbsDiff(img.stored, values)).toBe(0)
      expect(summary.pixels.sha256).toBe(sourceHash)
    } else {
      expect(maxAbsDiff(img.stored, values)).toBeLessThanOrEqual(LOSSY_MAX_ERROR[t.name])
      expect(rmsDiff(img.stored, values)).toBeLessThanOrEqual(LOSSY_RMS[t.name])
      expect(summary.pixels.sha256).not.toBe(sourceHash)
    }
  })
})

describe('DCT JPEG', () => {
  it('12-bit JPEG Extended (dcmcjpeg +ee) decodes within ±1 of dcmdjpeg and close to the source', async () => {
    const { values, spec } = grey12()
    const src = writeImage(scratch.dir, 'ext-src.dcm', spec)
    const jpg = transcode(
      {
        name: 'ext',
        transferSyntaxUID: '1.2.840.10008.1.2.4.51',
        cmd: 'dcmcjpeg',
        args: (s, d) => ['+ee', '+q', '90', s, d]
      },
      src,
      scratch.file('ext.dcm')
    )
    const ref = await decodeImage(referenceDecode(jpg, scratch.file('ext-ref.dcm'), 'dcmdjpeg'))
    const img = await decodeImage(jpg)
    expect((await dicomSummary(jpg)).transferSyntaxUID).toBe('1.2.840.10008.1.2.4.51')
    expect(maxAbsDiff(img.stored, ref.stored)).toBeLessThanOrEqual(1)
    expect(rmsDiff(img.stored, values)).toBeLessThan(40)
  })

  it('8-bit JPEG Baseline decodes within ±1 of dcmdjpeg and close to the source', async () => {
    const { values, spec } = grey8()
    const src = writeImage(scratch.dir, 'base-src.dcm', spec)
    const jpg = transcode(
      {
        name: 'base',
        transferSyntaxUID: '1.2.840.10008.1.2.4.50',
        cmd: 'dcmcjpeg',
        args: (s, d) => ['+eb', '+q', '90', s, d]
      },
      src,
      scratch.file('base.dcm')
    )
    const ref = await decodeImage(referenceDecode(jpg, scratch.file('base-ref.dcm'), 'dcmdjpeg'))
    const img = await decodeImage(jpg)
    expect(img.stored).toBeInstanceOf(Uint8Array)
    expect(maxAbsDiff(img.stored, ref.stored)).toBeLessThanOrEqual(1)
    expect(rmsDiff(img.stored, values)).toBeLessThan(4)
  })
})

describe('HTJ2K (codestream from dcmjs-codecs/OpenJPH, decoded by OpenJPEG)', () => {
  it.each([
    ['1.2.840.10008.1.2.4.201', false],
    ['1.2.840.10008.1.2.4.203', true]
  ] as const)('%s', async (uid, lossy) => {
    const { values, spec } = grey12()
    const codestream = await encodeHtj2k(spec.pixels as Uint16Array, ROWS, COLS, 12, lossy)
    // The CAP marker (FF50) is what makes a codestream Part 15 (HT) rather than Part 1.
    expect(Buffer.from(codestream).indexOf(Buffer.from([0xff, 0x50]))).toBeGreaterThan(0)
    const file = writeImage(scratch.dir, `ht-${lossy}.dcm`, spec, {
      transferSyntaxUID: uid,
      encapsulatedFrames: [[codestream]]
    })
    const img = await decodeImage(file)
    if (lossy) expect(rmsDiff(img.stored, values)).toBeLessThan(10)
    else expect(maxAbsDiff(img.stored, values)).toBe(0)
  })
})
