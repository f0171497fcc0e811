import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeDicom, type WriteElement } from '../../src/main/imaging'
import { openAppPage } from '../helpers/app-page'
import { type ServedApp } from '../helpers/serve'
import { tempDir } from '../unit/viewer/fixtures'

/*
 * Issue #15's compare mode: two series of one study side by side, scrolling linked by patient position (or slice
 * number across frames of reference), and each viewport's slice drawn on the other as a reference line. The
 * study is written by this test: two axial series with different slice spacing, a sagittal series, and an axial
 * series in another frame of reference.
 */
const SHOTS = path.resolve(__dirname, '../../test-results/viewer-compare')
const STUDY = '1.2.826.0.1.3680043.10.1419.88.0'
const FRAME = '1.2.826.0.1.3680043.10.1419.88.9'

interface Geometry {
  seriesNumber: number
  description: string
  /** Image Position (Patient) of slice k. */
  position: (k: number) => [number, number, number]
  orientation: [number, number, number, number, number, number]
  /** [row spacing, column spacing], mm. */
  spacing: [number, number]
  rows: number
  columns: number
  slices: number
  frameOfReference?: string
}

/** A ball of radius 70 mm around (0, 0, 25) with a brighter stripe where x > 0, sampled in patient space. */
function phantom(x: number, y: number, z: number): number {
  const r = Math.hypot(x, y, (z - 25) * 1.2)
  if (r > 70) return 0
  return (x > 0 ? 700 : 400) + Math.round(200 * Math.cos(r / 8))
}

function writeSeries(root: string, g: Geometry): void {
  const dir = path.join(root, `s${g.seriesNumber}`)
  fs.mkdirSync(dir, { recursive: true })
  const [rx, ry, rz, cx, cy, cz] = g.orientation
  for (let k = 0; k < g.slices; k++) {
    const p = g.position(k)
    const pixels = new Int16Array(g.rows * g.columns)
    for (let j = 0; j < g.rows; j++)
      for (let i = 0; i < g.columns; i++) {
        const a = i * g.spacing[1]
        const b = j * g.spacing[0]
        pixels[j * g.columns + i] = phantom(p[0] + rx * a + cx * b, p[1] + ry * a + cy * b, p[2] + rz * a + cz * b)
      }
    const els: WriteElement[] = [
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
      { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.10.1419.88.3.${g.seriesNumber}.${k}` },
      { tag: 0x00080060, vr: 'CS', value: 'MR' },
      { tag: 0x0008103e, vr: 'LO', value: g.description },
      { tag: 0x00100010, vr: 'PN', value: 'Phantom^Compare' },
      { tag: 0x00100020, vr: 'LO', value: 'CMP-0001' },
      { tag: 0x0020000d, vr: 'UI', value: STUDY },
      { tag: 0x0020000e, vr: 'UI', value: `1.2.826.0.1.3680043.10.1419.88.2.${g.seriesNumber}` },
      { tag: 0x00200011, vr: 'IS', value: g.seriesNumber },
      { tag: 0x00200013, vr: 'IS', value: k + 1 },
      { tag: 0x00200032, vr: 'DS', value: p },
      { tag: 0x00200037, vr: 'DS', value: g.orientation },
      { tag: 0x00200052, vr: 'UI', value: g.frameOfReference ?? FRAME },
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: g.rows },
      { tag: 0x00280011, vr: 'US', value: g.columns },
      { tag: 0x00280030, vr: 'DS', value: g.spacing },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: 16 },
      { tag: 0x00280102, vr: 'US', value: 15 },
      { tag: 0x00280103, vr: 'US', value: 1 },
      { tag: 0x7fe00010, vr: 'OW', value: pixels }
    ]
    fs.writeFileSync(path.join(dir, `im${k}.dcm`), encodeDicom(els))
  }
}

const AXIAL: [number, number, number, number, number, number] = [1, 0, 0, 0, 1, 0]
// 64 × 4 mm columns and rows from -126 mm: image centre at x = y = 0.
const T1: Geometry = {
  seriesNumber: 1,
  description: 'T1 AXIAL 5MM',
  position: (k) => [-126, -126, k * 5],
  orientation: AXIAL,
  spacing: [4, 4],
  rows: 64,
  columns: 64,
  slices: 10
}
const T2: Geometry = {
  ...T1,
  seriesNumber: 2,
  description: 'T2 AXIAL 3MM',
  position: (k) => [-126, -126, 1 + k * 3],
  slices: 16
}
// Sagittal at x = -70, -50, …, 70 (the viewer lists them along the normal, row × column = −x: 70 first); rows go down from z = 60 in 2 mm steps, columns run anterior → posterior.
const SAG: Geometry = {
  seriesNumber: 3,
  description: 'T2 SAGITTAL',
  position: (k) => [-70 + k * 20, -126, 60],
  orientation: [0, 1, 0, 0, 0, -1],
  spacing: [2, 4],
  rows: 32,
  columns: 64,
  slices: 8
}
const OTHER_FRAME: Geometry = {
  ...T1,
  seriesNumber: 4,
  description: 'T1 AXIAL OTHER FRAME',
  slices: 6,
  frameOfReference: '1.2.826.0.1.3680043.10.1419.88.10'
}

const text = async (page: Page, id: string) => (await page.getByTestId(id).first().textContent())?.trim() ?? ''

describe('viewer compare mode in browser mode', () => {
  const tmp = tempDir('e2e-compare')
  const study = path.join(tmp.dir, 'study')
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) })
  const left = () => page.getByTestId('viewer-canvas').first()
  const right = () => page.getByTestId('compare-pane').getByTestId('viewer-canvas')
  const rightPath = () => right().evaluate((el) => (el as unknown as { dataset: { path?: string } }).dataset.path ?? '')
  const lines = () => page.getByTestId('reference-line')
  const lineAttr = async (i: number, a: string) => Number(await lines().nth(i).getAttribute(`data-image-${a}`))

  async function wheelOver(target: () => ReturnType<Page['getByTestId']>, notches: number): Promise<void> {
    const box = await target().boundingBox()
    if (!box) throw new Error('no canvas box')
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    for (let n = 0; n < Math.abs(notches); n++) await page.mouse.wheel(0, Math.sign(notches) * 100)
  }

  beforeAll(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true })
    fs.mkdirSync(SHOTS, { recursive: true })
    for (const g of [T1, T2, SAG, OTHER_FRAME]) writeSeries(study, g)
    ;({ app, browser, page } = await openAppPage({
      view: 'viewer',
      viewport: { width: 1440, height: 900 },
      errors,
      workspace: path.join(tmp.dir, 'ws')
    }))
    await page.getByTestId('viewer-empty').waitFor()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    tmp.cleanup()
  })

  it('links two axial series with different spacing by position, and shows the distance between the planes', async () => {
    await page.getByTestId('viewer-path').fill(study)
    await page.getByTestId('viewer-path').press('Enter')
    await expect.poll(() => page.getByTestId('viewer-series-item').count()).toBe(4)
    await expect.poll(() => text(page, 'viewer-overlay-series')).toBe(T1.description)
    await page.getByTestId('compare-toggle').click()
    await expect.poll(rightPath).toContain(`${path.sep}s2${path.sep}`)
    // Left z = 0 → right's nearest slice is z = 1 (the first).
    expect(await text(page, 'compare-position')).toBe('1 / 16')
    expect(await page.getByTestId('compare-sync').inputValue()).toBe('position')

    // Left to z = 15: the 3 mm series has 13 and 16; 16 is nearer.
    await wheelOver(left, 3)
    await expect.poll(() => text(page, 'viewer-position')).toBe('4 / 10')
    await expect.poll(() => text(page, 'compare-position')).toBe('6 / 16')
    await expect.poll(rightPath).toContain(`${path.sep}s2${path.sep}im5.dcm`)
    expect(await lines().count()).toBe(0)
    await expect.poll(() => page.getByTestId('reference-distance').first().textContent()).toContain('1.0 mm above')
    await shot('compare-axial-pair')

    // Right to z = 22: left follows to z = 20.
    await wheelOver(right, 2)
    await expect.poll(() => text(page, 'compare-position')).toBe('8 / 16')
    await expect.poll(() => text(page, 'viewer-position')).toBe('5 / 10')

    // S unlinks: the right viewport stays where it is; S again links and it catches up.
    await page.keyboard.press('s')
    expect(await page.getByTestId('compare-sync').inputValue()).toBe('off')
    await wheelOver(left, 2)
    await expect.poll(() => text(page, 'viewer-position')).toBe('7 / 10')
    expect(await text(page, 'compare-position')).toBe('8 / 16')
    await page.keyboard.press('s')
    // Left z = 30 → right z = 31.
    await expect.poll(() => text(page, 'compare-position')).toBe('11 / 16')
  })

  it('draws each slice on the other as a reference line for crossing series, and scrolling one moves the line', async () => {
    await page.getByTestId('compare-series').selectOption({ label: `3 ${SAG.description} (MR) · 8 images` })
    await expect.poll(rightPath).toContain(`${path.sep}s3${path.sep}`)
    // Crossing series do not scroll each other; the sagittal starts in its middle (5th of 8 from x = 70: x = −10 mm).
    await expect.poll(() => text(page, 'compare-position')).toBe('5 / 8')
    await expect.poll(() => text(page, 'compare-note')).toContain('Planes cross')
    await expect.poll(() => lines().count()).toBe(2)
    // Left (axial z = 30): the sagittal at x = −10 is column (−10 + 126) / 4 = 29 → centre 29.5, a vertical line.
    expect(await lineAttr(0, 'x1')).toBeCloseTo(29.5, 2)
    expect(await lineAttr(0, 'x2')).toBeCloseTo(29.5, 2)
    expect(Math.abs((await lineAttr(0, 'y2')) - (await lineAttr(0, 'y1')))).toBeCloseTo(64, 2)
    // Right (sagittal): the axial at z = 30 is row (60 − 30) / 2 = 15 → centre 15.5, across all 64 columns.
    expect(await lineAttr(1, 'y1')).toBeCloseTo(15.5, 2)
    expect(await lineAttr(1, 'y2')).toBeCloseTo(15.5, 2)
    expect(Math.abs((await lineAttr(1, 'x2')) - (await lineAttr(1, 'x1')))).toBeCloseTo(64, 2)
    await shot('compare-axial-sagittal')

    // The next sagittal slice (x = −30): the line on the axial moves 5 columns left; the axial stays.
    await wheelOver(right, 1)
    await expect.poll(() => text(page, 'compare-position')).toBe('6 / 8')
    await expect.poll(() => lineAttr(0, 'x1')).toBeCloseTo(24.5, 2)
    expect(await text(page, 'viewer-position')).toBe('7 / 10')
    // Scrolling the axial moves the line on the sagittal: z = 35 → row 12.5 + 0.5.
    await wheelOver(left, 1)
    await expect.poll(() => lineAttr(1, 'y1')).toBeCloseTo(13, 2)
    expect(await text(page, 'compare-position')).toBe('6 / 8')

    // The line is on screen: pixels across the right line's middle include its colour (#4ad0ff), not grey.
    const box = await lines().nth(1).boundingBox()
    if (!box) throw new Error('no reference line box')
    const clip = {
      x: Math.round(box.x + box.width / 2),
      y: Math.round(box.y + box.height / 2) - 2,
      width: 1,
      height: 5
    }
    const { data, info } = await sharp(await page.screenshot({ clip }))
      .raw()
      .toBuffer({ resolveWithObject: true })
    const ch = info.channels
    const blueish = [0, 1, 2, 3, 4].filter((k) => data[k * ch + 2] - data[k * ch] > 80)
    expect(blueish.length).toBeGreaterThan(0)
    await shot('compare-axial-sagittal-scrolled')
  })

  it('says when the series are in another frame of reference and falls back to slice numbers', async () => {
    await page.getByTestId('compare-series').selectOption({ label: `4 ${OTHER_FRAME.description} (MR) · 6 images` })
    await expect.poll(rightPath).toContain(`${path.sep}s4${path.sep}`)
    await expect.poll(() => text(page, 'compare-note')).toContain('Different frame of reference')
    expect(await page.getByTestId('compare-sync').inputValue()).toBe('index')
    expect(await lines().count()).toBe(0)
    expect(await page.getByTestId('reference-distance').count()).toBe(0)
    // Left is at slice 8: the 6-slice series goes to its last.
    await expect.poll(() => text(page, 'compare-position')).toBe('6 / 6')
    await wheelOver(left, -5)
    await expect.poll(() => text(page, 'viewer-position')).toBe('3 / 10')
    await expect.poll(() => text(page, 'compare-position')).toBe('3 / 6')
    await shot('compare-other-frame')

    // Showing the right viewport's series on the left puts the study's first other series on the right.
    await page.locator('[data-testid="viewer-series-item"]', { hasText: OTHER_FRAME.description }).click()
    await expect.poll(() => text(page, 'viewer-overlay-series')).toBe(OTHER_FRAME.description)
    await expect.poll(rightPath).toContain(`${path.sep}s1${path.sep}`)

    await page.keyboard.press('c')
    await expect.poll(() => page.getByTestId('compare-pane').count()).toBe(0)
    expect(await page.getByTestId('viewer-canvas').count()).toBe(1)
    expect(errors).toEqual([])
  })
})
