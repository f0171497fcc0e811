import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeImage, dicomSummary, dumpTags, readImageHeader } from '../../../src/main/imaging'
import { AppError } from '../../../src/shared/errors'
import { encodeDicom } from '../../../src/main/imaging/dicom/writer'
import { imageElements } from '../../fixtures/dicom/build'
import { grey12, scratchDir, writeImage } from '../../fixtures/dicom/corpus'
import { GREY_TRANSCODES, transcode } from '../../fixtures/dicom/tools'

const scratch = scratchDir('errors')
afterAll(() => scratch.cleanup())
const { spec } = grey12()

/** Runs `fn`, expecting an AppError with `code` whose message names `file` and matches `reason`. */
async function expectAppError(fn: () => Promise<unknown>, code: string, file: string, reason: RegExp): Promise<void> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(AppError)
  expect((err as AppError).code).toBe(code)
  expect((err as AppError).message).toContain(file)
  expect((err as AppError).message).toMatch(reason)
}

describe('bad files give clear AppErrors', () => {
  it('not DICOM', async () => {
    const file = scratch.file('notes.dcm')
    writeFileSync(file, 'Patient notes, definitely not an image.\n'.repeat(10))
    await expectAppError(() => decodeImage(file), 'UNSUPPORTED', file, /not a DICOM, PNG or JPEG/)
    await expectAppError(() => readImageHeader(file), 'UNSUPPORTED', file, /not a DICOM, PNG or JPEG/)
    await expectAppError(() => dicomSummary(file), 'UNSUPPORTED', file, /not a DICOM/)
  })

  it('a DICM prefix followed by garbage', async () => {
    const file = scratch.file('garbage.dcm')
    const bytes = Buffer.alloc(400, 0xee)
    bytes.write('DICM', 128, 'latin1')
    writeFileSync(file, bytes)
    await expectAppError(() => decodeImage(file), 'CORRUPT', file, /does not parse|truncated/)
  })

  it('truncated inside Pixel Data (native)', async () => {
    const full = encodeDicom(imageElements(spec))
    const file = scratch.file('trunc.dcm')
    writeFileSync(file, full.subarray(0, full.length - 1000))
    await expectAppError(() => decodeImage(file), 'CORRUPT', file, /truncated/)
  })

  it('truncated inside the header', async () => {
    const full = encodeDicom(imageElements(spec))
    const file = scratch.file('trunc-head.dcm')
    writeFileSync(file, full.subarray(0, 300))
    await expectAppError(() => decodeImage(file), 'CORRUPT', file, /.+/)
  })

  it('truncated compressed frame (JPEG-LS)', async () => {
    const src = writeImage(scratch.dir, 'jls-src.dcm', spec)
    const jls = transcode(
      GREY_TRANSCODES.find((t) => t.name === 'jpeg-ls-dcmtk')!,
      src,
      scratch.file('jls.dcm')
    )
    const full = readFileSync(jls)
    const file = scratch.file('jls-trunc.dcm')
    writeFileSync(file, full.subarray(0, full.length - 3000))
    await expectAppError(() => decodeImage(file), 'CORRUPT', file, /.+/)
  })

  it('corrupt compressed frame (JPEG 2000 codestream of random bytes)', async () => {
    const junk = Uint8Array.from({ length: 500 }, (_, i) => (i * 37 + 11) & 0xff)
    junk.set([0xff, 0x4f, 0xff, 0x51], 0)
    const file = writeImage(scratch.dir, 'j2k-junk.dcm', spec, {
      transferSyntaxUID: '1.2.840.10008.1.2.4.90',
      encapsulatedFrames: [[junk]]
    })
    await expectAppError(() => decodeImage(file), 'CORRUPT', file, /JPEG 2000/)
  })

  it('RLE frame with a wrong segment count', async () => {
    const header = new Uint8Array(64 + 10)
    new DataView(header.buffer).setUint32(0, 1, true)
    new DataView(header.buffer).setUint32(4, 64, true)
    const file = writeImage(scratch.dir, 'rle-bad.dcm', spec, {
      transferSyntaxUID: '1.2.840.10008.1.2.5',
      encapsulatedFrames: [[header]]
    })
    await expectAppError(() => decodeImage(file), 'CORRUPT', file, /RLE header lists 1 segments/)
  })

  it('no Pixel Data', async () => {
    const els = imageElements(spec).filter((e) => e.tag !== 0x7fe00010)
    const file = scratch.file('nopix.dcm')
    writeFileSync(file, encodeDicom(els))
    await expectAppError(() => decodeImage(file), 'UNSUPPORTED', file, /no Pixel Data \(7FE0,0010\)/)
    // Indexing still works for such files.
    expect((await readImageHeader(file)).sopInstanceUID).toBeTruthy()
  })

  it.each([
    ['1.2.840.10008.1.2.4.100', /MPEG2/],
    ['1.2.840.10008.1.2.4.110', /JPEG XL/],
    ['1.2.3.999', /1\.2\.3\.999/]
  ])('unsupported transfer syntax %s names the UID', async (uid, name) => {
    const file = writeImage(scratch.dir, `ts-${uid}.dcm`, spec, {
      transferSyntaxUID: uid,
      encapsulatedFrames: [[new Uint8Array(64)]]
    })
    await expectAppError(() => decodeImage(file), 'UNSUPPORTED', file, new RegExp(uid.replace(/\./g, '\\.')))
    await expectAppError(() => decodeImage(file), 'UNSUPPORTED', file, name)
    // The header is still indexable.
    expect((await readImageHeader(file)).transferSyntaxUID).toBe(uid)
  })

  it('frame out of range', async () => {
    const file = writeImage(scratch.dir, 'one.dcm', spec)
    await expectAppError(() => decodeImage(file, { frame: 1 }), 'INVALID_ARGUMENT', file, /frame 1 does not exist/)
    await expectAppError(() => decodeImage(file, { frame: -1 }), 'INVALID_ARGUMENT', file, /frame -1/)
  })

  it('missing file and directory', async () => {
    const missing = scratch.file('nope.dcm')
    await expectAppError(() => decodeImage(missing), 'NOT_FOUND', missing, /no such file|ENOENT/)
    await expectAppError(() => dumpTags(missing), 'NOT_FOUND', missing, /no such file/)
    const dir = scratch.file('adir')
    mkdirSync(dir)
    await expectAppError(() => readImageHeader(dir), 'INVALID_ARGUMENT', dir, /EISDIR/)
  })

  it('unsupported bit depth names the attribute', async () => {
    const file = writeImage(scratch.dir, 'ba12.dcm', { ...spec, bitsAllocated: 12 as 16 })
    await expectAppError(() => decodeImage(file), 'UNSUPPORTED', file, /Bits Allocated \(0028,0100\) = 12/)
  })
})
