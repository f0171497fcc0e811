import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeDicom } from '../../../src/main/imaging/dicom/writer'
import { imageElements } from '../../fixtures/dicom/build'
import { grey12, scratchDir } from '../../fixtures/dicom/corpus'

/**
 * The fixtures come from our own writer, so it is checked here against dcmtk, an independent reader:
 * if the writer were wrong, every other imaging test would be suspect.
 */
const scratch = scratchDir('writer')
afterAll(() => scratch.cleanup())

function dcmdump(file: string, ...args: string[]): string {
  return execFileSync('dcmdump', ['-q', ...args, file], { encoding: 'latin1' })
}

/** dcmdump +W writes each Pixel Data value to a raw file: dcmtk's view of the stored bytes (LE host order). */
function dcmtkPixelBytes(file: string): Buffer {
  const dir = path.join(scratch.dir, `px-${path.basename(file)}`)
  mkdirSync(dir)
  dcmdump(file, '+W', dir)
  const raw = readdirSync(dir).filter((f) => f.endsWith('.raw'))
  expect(raw).toHaveLength(1)
  return readFileSync(path.join(dir, raw[0]))
}

const { values, spec } = grey12()
const elements = imageElements({
  ...spec,
  rescale: { slope: 0.000123456789012, intercept: -1024 },
  windows: [
    { center: 40, width: 400, explanation: 'SOFT' },
    { center: 300, width: 1500, explanation: 'BONE' }
  ],
  extra: [
    { tag: 0x00081140, vr: 'SQ', value: [[{ tag: 0x00081155, vr: 'UI', value: '1.2.3.4' }]] },
    { tag: 0x00189087, vr: 'FD', value: 1000.5 },
    { tag: 0x00281041, vr: 'SS', value: -1 }
  ]
})

describe('encodeDicom, read back by dcmtk', () => {
  it.each([
    ['Explicit VR Little Endian', '1.2.840.10008.1.2.1', 'Little Endian Explicit'],
    ['Implicit VR Little Endian', '1.2.840.10008.1.2', 'Little Endian Implicit'],
    ['Explicit VR Big Endian', '1.2.840.10008.1.2.2', 'Big Endian Explicit'],
    ['Deflated Explicit VR Little Endian', '1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian']
  ])('%s: values and pixels as written', (_l, uid, dcmtkName) => {
    const file = scratch.file(`${uid}.dcm`)
    writeFileSync(file, encodeDicom(elements, { transferSyntaxUID: uid }))
    const dump = dcmdump(file, '-E')
    expect(dump).toContain(`# Used TransferSyntax: ${dcmtkName}`)
    expect(dump).toMatch(/\(0028,0010\) US 64 /)
    expect(dump).toMatch(/\(0028,0101\) US 12 /)
    expect(dump).toMatch(/\(0028,1050\) DS \[40\\300\]/)
    expect(dump).toMatch(/\(0028,1055\) LO \[SOFT\\BONE\]/)
    expect(dump).toMatch(/\(0028,1053\) DS \[0\.00012345678901\]/)
    expect(dump).toMatch(/\(0018,9087\) FD 1000\.5/)
    expect(dump).toMatch(/\(0028,1041\) SS -1/)
    expect(dump).toMatch(/\(0008,1155\) UI \[1\.2\.3\.4\]/)
    expect(dump).not.toMatch(/^E:|error/im)
    const px = dcmtkPixelBytes(file)
    expect(Array.from(new Uint16Array(px.buffer, px.byteOffset, px.length / 2))).toEqual(Array.from(values))
  })

  it('encapsulated frames become an offset table plus one fragment per frame', () => {
    const file = scratch.file('encap.dcm')
    const frames = [[Uint8Array.of(1, 2, 3)], [Uint8Array.of(4, 5, 6, 7)]]
    writeFileSync(file, encodeDicom(elements, { transferSyntaxUID: '1.2.840.10008.1.2.5', encapsulatedFrames: frames }))
    const dump = dcmdump(file)
    expect(dump).toMatch(/PixelSequence #=3/)
    expect(dump).toMatch(/pi 00\\00\\00\\00\\0c\\00\\00\\00 /)
    expect(dump).toMatch(/pi 01\\02\\03\\00 /)
  })
})
