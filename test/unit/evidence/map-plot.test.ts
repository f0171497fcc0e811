import { describe, expect, it } from 'vitest'
import {
  categorise,
  drawPoints,
  fixedCategories,
  fitView,
  hitTest,
  legendWords,
  panBy,
  pointsInBox,
  positionOf,
  zoomAt
} from '../../../src/shared/display/map-plot'

// Four points at the corners of a 10 × 4 rectangle in map units, plotted into a 120 × 60 pixel canvas.
const coords = Float32Array.from([0, 0, 10, 0, 0, 4, 10, 4])
const toPx = (v: ReturnType<typeof fitView>, i: number) => [
  coords[i * 2] * v.scale + v.ox,
  -coords[i * 2 + 1] * v.scale + v.oy
]

describe('map plot', () => {
  it('fits every point inside the canvas margin, y up', () => {
    const v = fitView(coords, 120, 60, 10)
    expect(v.scale).toBeCloseTo(10, 6) // 100 px / 10 units (the height allows 40 / 4 = 10 too)
    const [x0, y0] = toPx(v, 0)
    const [x3, y3] = toPx(v, 3)
    expect(x0).toBeCloseTo(10, 6)
    expect(x3).toBeCloseTo(110, 6)
    expect(y0).toBeGreaterThan(y3) // larger y is higher up
  })

  it('keeps the point under the cursor fixed when zooming, and pans by pixels', () => {
    const v = fitView(coords, 120, 60, 10)
    const [x, y] = toPx(v, 3)
    const z = zoomAt(v, x, y, 3)
    const [zx, zy] = toPx(z, 3)
    expect(zx).toBeCloseTo(x, 6)
    expect(zy).toBeCloseTo(y, 6)
    const p = panBy(v, 5, -2)
    expect(toPx(p, 0)[0]).toBeCloseTo(toPx(v, 0)[0] + 5, 6)
  })

  it('selects exactly the points inside a dragged box, in either drag direction, and hit-tests the nearest', () => {
    const v = fitView(coords, 120, 60, 10)
    expect(pointsInBox(coords, v, 0, 0, 60, 60)).toEqual([0, 2]) // the left half: the two x = 0 points
    expect(pointsInBox(coords, v, 60, 60, 0, 0)).toEqual([0, 2])
    expect(pointsInBox(coords, v, 61, 0, 62, 60)).toEqual([])
    const [x, y] = toPx(v, 1)
    expect(hitTest(coords, v, x + 2, y - 2)).toBe(1)
    expect(hitTest(coords, v, 60, 30)).toBe(-1)
  })

  it('colours categories by frequency with a grey "none" for missing values', () => {
    const { index, legend } = categorise(['b', 'a', 'b', null])
    expect(legend.map((l) => l.label)).toEqual(['b', 'a', 'none'])
    expect(Array.from(index)).toEqual([0, 1, 0, 2])
  })

  it('draws each point as a square of its colour in one pass, the selection outlined', () => {
    const v = fitView(coords, 120, 60, 10)
    const px = new Uint32Array(120 * 60)
    const { index, legend } = categorise(['a', 'a', 'b', 'b'])
    const words = legendWords(legend)
    drawPoints(px, 120, 60, coords, index, words, v, 0, Uint8Array.from([0, 0, 0, 1]), 3)
    const at = (i: number) => {
      const [x, y] = toPx(v, i).map(Math.round)
      return px[y * 120 + x]
    }
    expect(at(0)).toBe(words[0])
    expect(at(2)).toBe(words[1])
    expect(words[0]).not.toBe(words[1])
    const [x3, y3] = toPx(v, 3).map(Math.round)
    expect(px[(y3 - 2) * 120 + x3]).toBe(0xffffffff) // the white ring around the selected point
    expect(px[30 * 120 + 60]).toBe(0) // background between points
  })

  it('colours correctness with fixed colours, in the given order, grey for items not predicted', () => {
    const colours = [
      { label: 'correct', css: '#59a14f' },
      { label: 'wrong', css: '#e15759' }
    ]
    const c = fixedCategories(['wrong', null, 'correct', 'wrong'], colours, 'not predicted')
    expect(c.legend.map((l) => l.label)).toEqual(['correct', 'wrong', 'not predicted'])
    expect(c.legend[0].css).toBe('#59a14f')
    expect([...c.index]).toEqual([1, 2, 0, 1])
    // Only the categories present are listed; no grey entry when every item has one.
    const all = fixedCategories(['correct', 'correct'], colours, 'not predicted')
    expect(all.legend.map((l) => l.label)).toEqual(['correct'])
    expect([...all.index]).toEqual([0, 0])
  })

  it('names unknown values as asked, and finds an id’s row', () => {
    expect(categorise(['a', null], 'not predicted').legend.map((l) => l.label)).toEqual(['a', 'not predicted'])
    const at = positionOf([7, 3, 9])
    expect([at(3), at(9), at(4)]).toEqual([1, 2, undefined])
  })
})
