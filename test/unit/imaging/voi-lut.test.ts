import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage, renderWindowed } from '../../../src/main/imaging'
import { FrameCache } from '../../../src/main/imaging/files/frame-cache'
import { WindowRenderer } from '../../../src/shared/display/window-lut'
import { voiLutSpan } from '../../../src/shared/display/voi-lut'
import { scratchDir } from '../../fixtures/dicom/corpus'

/**
 * VOI LUT Sequence (0028,3010): a CT image written by pydicom with a non-linear 16-bit LUT over modality values
 * −200..399 (signed first value) and a window besides. pydicom's apply_voi_lut states which LUT entry each
 * pixel maps to; the test scales those entries to 8 bits by hand and compares with what main renders and what
 * the viewer's renderer draws.
 */

interface Manifest {
  file: string
  short: string
  bits: number
  modality: number[]
  lutOutput: number[]
}

const scratch = scratchDir('voi-lut')
let m: Manifest

beforeAll(() => {
  const script = `${__dirname}/../../fixtures/pixel-data/make_voi_lut.py`
  m = JSON.parse(execFileSync('/usr/bin/python3', [script, scratch.dir], { encoding: 'utf8' }))
}, 60_000)
afterAll(() => scratch.cleanup())

/** The LUT entry scaled to a display byte, by hand: entry × 255 / (2^bits − 1), rounded. */
const byHand = (entry: number, bits: number) => Math.round((entry * 255) / (2 ** bits - 1))

describe('VOI LUT Sequence (0028,3010)', () => {
  it('reads the LUT after the rescale, its negative first value read as SS, with its explanation', async () => {
    const img = await decodeImage(m.file)
    expect(Array.from(img.modality)).toEqual(m.modality)
    expect(img.voiLuts).toHaveLength(1)
    const lut = img.voiLuts![0]
    expect([lut.firstMapped, lut.bits, lut.data.length, lut.explanation]).toEqual([-200, 16, 600, 'SQRT BRAIN'])
    // The file's window is still offered.
    expect(img.windows[0]).toMatchObject({ center: 40, width: 80 })
  })

  it('renders with the LUT by default: every pixel equals the LUT applied by hand', async () => {
    const img = await decodeImage(m.file)
    const shown = renderWindowed(img)
    const expected = m.lutOutput.map((e) => byHand(e, m.bits))
    expect(Array.from(shown)).toEqual(expected)
    // Below, inside and above the LUT's range all occur, so the ends and the middle are checked.
    expect(new Set(expected).size).toBeGreaterThan(100)
    expect(expected[0]).toBe(0)
    expect(expected[expected.length - 1]).toBe(255)
  })

  it('a window given by the user replaces the LUT', async () => {
    const img = await decodeImage(m.file)
    const windowed = renderWindowed(img, { center: 40, width: 80 })
    expect(Array.from(windowed)).not.toEqual(Array.from(renderWindowed(img)))
    // C 40 / W 80 LINEAR: −300 is black, 498 white, 40 mid-grey; the LUT would show 40 much brighter (√ curve).
    const at40 = m.modality.indexOf(40)
    expect([windowed[0], windowed[windowed.length - 1]]).toEqual([0, 255])
    expect(Math.abs(windowed[at40] - 128)).toBeLessThanOrEqual(2)
    expect(renderWindowed(img)[at40]).toBe(byHand(65535 * Math.sqrt(240 / 599), 16))
  })

  it('the viewer draws what main renders: the frame carries the LUT and the shared renderer applies it', async () => {
    const frame = await new FrameCache(0).get(m.file, 0)
    expect(frame.voiLuts?.[0].data.length).toBe(600)
    const r = new WindowRenderer(frame)
    const lut = frame.voiLuts![0]
    const rgba = r.render({ ...voiLutSpan(lut), fn: 'LINEAR', lut }, false)
    const grey = Array.from({ length: frame.width * frame.height }, (_, i) => rgba[i * 4])
    expect(grey).toEqual(m.lutOutput.map((e) => byHand(e, m.bits)))
  })

  it('LUT Data shorter than its descriptor says is a clear error naming the file and the element', async () => {
    await expect(decodeImage(m.short)).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringMatching(
        /voi-lut-short\.dcm: VOI LUT Sequence \(0028,3010\) item 1 LUT Data \(0028,3006\) has 600 bytes for 600 entries/
      )
    })
  })
})
