import { readFileSync, writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeImage, dumpTags, readImageHeader, sniffKind } from '../../../src/main/imaging'
import { encodeDicom } from '../../../src/main/imaging/dicom/writer'
import { imageElements } from '../../fixtures/dicom/build'
import { COLS, grey12, ROWS, scratchDir, writeImage } from '../../fixtures/dicom/corpus'
import { tool } from '../../fixtures/dicom/tools'

const scratch = scratchDir('files')
afterAll(() => scratch.cleanup())

const { values, spec } = grey12()
const geometry = {
  ...spec,
  patientId: 'P-42',
  patientName: 'Doe^Jane',
  studyUID: '1.2.3.4.5',
  seriesUID: '1.2.3.4.5.6',
  sopUID: '1.2.3.4.5.6.7',
  instanceNumber: 17,
  position: [-120.5, 33.25, 12.75],
  orientation: [1, 0, 0, 0, 1, 0],
  pixelSpacing: [0.8, 0.9] as [number, number]
}

describe('file layouts', () => {
  it.each([
    ['standard Part 10', { layout: 'standard' as const }],
    ["'DICM' without the 128-byte preamble", { layout: 'no-preamble' as const }],
    ['bare Explicit VR LE data set (no meta)', { layout: 'raw' as const }],
    ['bare Implicit VR LE data set (no meta)', { layout: 'raw' as const, transferSyntaxUID: '1.2.840.10008.1.2' }]
  ])('%s, extension-less', async (label, opts) => {
    const file = scratch.file(`IM-${label.replace(/\W+/g, '')}`)
    writeFileSync(file, encodeDicom(imageElements(geometry), opts))
    const head = readFileSync(file).subarray(0, 132)
    expect(sniffKind(head)).toBe('dicom')
    const img = await decodeImage(file)
    expect(Array.from(img.stored)).toEqual(Array.from(values))
    const h = await readImageHeader(file)
    expect(h.instanceNumber).toBe(17)
  })

  it('meta group without preamble or prefix', async () => {
    const full = encodeDicom(imageElements(geometry))
    const file = scratch.file('meta-only')
    writeFileSync(file, full.subarray(132))
    expect(Array.from((await decodeImage(file)).stored)).toEqual(Array.from(values))
  })
})

describe('sniffKind', () => {
  it('recognises PNG, JPEG and DICOM by content and rejects other bytes', () => {
    expect(sniffKind(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png')
    expect(sniffKind(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('jpeg')
    expect(sniffKind(Buffer.from('hello world, this is plain text and not an image at all'))).toBeNull()
    expect(sniffKind(Buffer.from('PK\u0003\u0004 zip archive bytes here'))).toBeNull()
    expect(sniffKind(new Uint8Array(200))).toBeNull()
    expect(sniffKind(encodeDicom(imageElements(spec)))).toBe('dicom')
    expect(sniffKind(encodeDicom(imageElements(spec), { layout: 'no-preamble' }))).toBe('dicom')
    expect(sniffKind(encodeDicom(imageElements(spec), { layout: 'raw', transferSyntaxUID: '1.2.840.10008.1.2' }))).toBe(
      'dicom'
    )
  })
})

describe('readImageHeader', () => {
  it('returns the indexing fields', async () => {
    const file = writeImage(scratch.dir, 'hdr.dcm', geometry)
    expect(await readImageHeader(file)).toMatchObject({
      kind: 'dicom',
      width: COLS,
      height: ROWS,
      frames: 1,
      modality: 'MR',
      patientId: 'P-42',
      patientName: 'Doe^Jane',
      patientBirthDate: '19700101',
      studyInstanceUID: '1.2.3.4.5',
      seriesInstanceUID: '1.2.3.4.5.6',
      sopInstanceUID: '1.2.3.4.5.6.7',
      instanceNumber: 17,
      imagePositionPatient: [-120.5, 33.25, 12.75],
      imageOrientationPatient: [1, 0, 0, 0, 1, 0],
      transferSyntaxUID: '1.2.840.10008.1.2.1',
      studyDate: '20240131'
    })
  })

  it('does not need the pixel data: a file cut inside Pixel Data still indexes, but does not decode', async () => {
    const big = { ...geometry, rows: 512, columns: 512, pixels: new Uint16Array(512 * 512) }
    const full = encodeDicom(imageElements(big))
    const file = scratch.file('cut.dcm')
    writeFileSync(file, full.subarray(0, full.length - 300_000))
    expect((await readImageHeader(file)).sopInstanceUID).toBe('1.2.3.4.5.6.7')
    await expect(decodeImage(file)).rejects.toMatchObject({ code: 'CORRUPT' })
  })

  it('handles headers longer than the first read (100 kB private element)', async () => {
    const file = writeImage(scratch.dir, 'longhdr.dcm', {
      ...geometry,
      extra: [
        { tag: 0x00190010, vr: 'LO', value: 'NEUROPATH TEST' },
        { tag: 0x00191001, vr: 'OB', value: new Uint8Array(100_000) }
      ]
    })
    expect((await readImageHeader(file)).imagePositionPatient).toEqual([-120.5, 33.25, 12.75])
  })

  it('reads deflated and big-endian headers', async () => {
    const src = writeImage(scratch.dir, 'hdr-src.dcm', geometry)
    for (const opt of ['+td', '+tb']) {
      const out = scratch.file(`hdr${opt}.dcm`)
      tool('dcmconv', [opt, src, out])
      const h = await readImageHeader(out)
      expect(h.instanceNumber).toBe(17)
      expect(h.width).toBe(COLS)
    }
  })
})

describe('dumpTags', () => {
  it('names tags, keeps VRs, flattens sequences and summarises binary values', async () => {
    const file = writeImage(scratch.dir, 'dump.dcm', {
      ...geometry,
      extra: [
        { tag: 0x00091010, vr: 'LO', value: 'private value' },
        {
          tag: 0x00081140,
          vr: 'SQ',
          value: [[{ tag: 0x00081155, vr: 'UI', value: '1.2.3' }], [{ tag: 0x00081155, vr: 'UI', value: '4.5.6' }]]
        },
        { tag: 0x00204000, vr: 'LT', value: 'x'.repeat(600) }
      ]
    })
    const tags = await dumpTags(file)
    const find = (tag: string) => tags.filter((t) => t.tag === tag)
    expect(find('(0010,0010)')[0]).toMatchObject({ keyword: 'PatientName', vr: 'PN', value: 'Doe^Jane', depth: 0 })
    expect(find('(0002,0010)')[0]).toMatchObject({ keyword: 'TransferSyntaxUID', value: '1.2.840.10008.1.2.1' })
    expect(find('(0028,0010)')[0]).toMatchObject({ keyword: 'Rows', vr: 'US', value: String(ROWS) })
    expect(find('(0020,0032)')[0].value).toBe('-120.5\\33.25\\12.75')
    expect(find('(0009,1010)')[0]).toMatchObject({ keyword: '', vr: 'LO', value: 'private value' })
    expect(find('(7FE0,0010)')[0]).toMatchObject({
      keyword: 'PixelData',
      vr: 'OW',
      value: `<${ROWS * COLS * 2} bytes>`
    })
    expect(find('(0008,1140)')[0]).toMatchObject({ vr: 'SQ', value: '<2 items>', depth: 0 })
    expect(find('(0008,1155)').map((t) => [t.value, t.depth])).toEqual([
      ['1.2.3', 2],
      ['4.5.6', 2]
    ])
    expect(find('(0020,4000)')[0].value.length).toBeLessThanOrEqual(256)
  })

  it('takes VRs from the dictionary for Implicit VR files', async () => {
    const src = writeImage(scratch.dir, 'dump-src.dcm', geometry)
    const out = scratch.file('dump-imp.dcm')
    tool('dcmconv', ['+ti', src, out])
    const tags = await dumpTags(out)
    expect(tags.find((t) => t.tag === '(0028,0011)')).toMatchObject({ vr: 'US', value: String(COLS) })
    expect(tags.find((t) => t.tag === '(0020,0013)')).toMatchObject({
      keyword: 'InstanceNumber',
      vr: 'IS',
      value: '17'
    })
  })
})
