import { afterAll, describe, expect, it } from 'vitest'
import type { WriteElement } from '../../../src/main/imaging'
import { FrameCache } from '../../../src/main/imaging/files/frame-cache'
import {
  actualSizeView,
  fitView,
  imagePixelAt,
  pixelAspect,
  toCanvas,
  toImage,
  zoomAt
} from '../../../src/renderer/src/viewer/view-transform'
import { tempDir, writeGrey8 } from './fixtures'
import path from 'node:path'

/**
 * Non-square pixels: Pixel Spacing (0028,0030) row ≠ column, or Pixel Aspect Ratio (0028,0034), drawn at their
 * true shape by stretching the view's vertical axis. Geometry of the pure view transform, and the fields main
 * sends for files written here.
 */

const scratch = tempDir('aspect')
afterAll(() => scratch.cleanup())

/** A 16×8 grey image with the given spacing or aspect elements. */
function writeFile(name: string, extra: WriteElement[]): string {
  return writeGrey8(
    path.join(scratch.dir, name),
    8,
    16,
    new Uint8Array(128).map((_, i) => i),
    extra
  )
}

describe('pixel aspect', () => {
  it('is row/column spacing, else the aspect ratio, else 1; absurd values are drawn square', () => {
    expect(pixelAspect({ pixelSpacing: [2, 1] })).toBe(2)
    expect(pixelAspect({ pixelSpacing: [0.5, 1] })).toBe(0.5)
    expect(pixelAspect({ pixelAspectRatio: [4, 3] })).toBeCloseTo(4 / 3)
    // Spacing wins over the ratio (PS3.3 C.7.6.3.1.7: the ratio is for images without spacing).
    expect(pixelAspect({ pixelSpacing: [1, 1], pixelAspectRatio: [2, 1] })).toBe(1)
    expect(pixelAspect({})).toBe(1)
    expect(pixelAspect({ pixelSpacing: [100, 1] })).toBe(1)
    expect(pixelAspect({ pixelSpacing: [0, 1] })).toBe(1)
  })

  it('fits a 2:1 image of 128×64 pixels as a square on a square canvas', () => {
    const v = fitView(128, 64, 512, 512, 2)
    expect(v).toEqual({ scale: 4, x: 0, y: 0, aspect: 2 })
    // The bottom-right corner lands on the canvas corner: 64 rows × 4 × 2 = 512.
    expect(toCanvas(v, 128, 64)).toEqual({ cx: 512, cy: 512 })
    // Square pixels on the same canvas leave bands above and below.
    expect(fitView(128, 64, 512, 512)).toEqual({ scale: 4, x: 0, y: 128, aspect: 1 })
    // Half-height pixels: the width limits less, the rows are squashed.
    const half = fitView(64, 128, 512, 512, 0.5)
    expect(toCanvas(half, 64, 128).cy - toCanvas(half, 0, 0).cy).toBeCloseTo(toCanvas(half, 64, 0).cx - half.x)
  })

  it('maps canvas points back to the right pixel through zoom and 1:1', () => {
    let v = fitView(128, 64, 512, 512, 2)
    // Canvas (100, 300) is column 25, row 37.5 → pixel (25, 37).
    expect(imagePixelAt(v, 100, 300, 128, 64)).toEqual({ x: 25, y: 37 })
    v = zoomAt(v, 2, 256, 256)
    expect(v.aspect).toBe(2)
    const p = toImage(v, 256, 256)
    expect(p).toEqual({ x: 64, y: 32 })
    const back = toCanvas(v, p.x, p.y)
    expect(back).toEqual({ cx: 256, cy: 256 })
    const one = actualSizeView(128, 64, 512, 512, 2)
    expect(one).toEqual({ scale: 1, x: 192, y: 192, aspect: 2 })
  })

  it('main sends Pixel Spacing and Pixel Aspect Ratio with the frame', async () => {
    const cache = new FrameCache(0)
    const spaced = await cache.get(writeFile('spaced.dcm', [{ tag: 0x00280030, vr: 'DS', value: [2, 1] }]), 0)
    expect(spaced.pixelSpacing).toEqual([2, 1])
    expect(pixelAspect(spaced)).toBe(2)
    const ratio = await cache.get(writeFile('ratio.dcm', [{ tag: 0x00280034, vr: 'IS', value: [2, 1] }]), 0)
    expect(ratio.pixelSpacing).toBeUndefined()
    expect(ratio.pixelAspectRatio).toEqual([2, 1])
    expect(pixelAspect(ratio)).toBe(2)
  })
})
