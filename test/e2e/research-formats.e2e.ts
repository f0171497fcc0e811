import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scratchDir } from '../fixtures/dicom/corpus'
import { writeGrey8 } from '../unit/viewer/fixtures'
import type { ServedApp } from '../helpers/serve'
import { openAppPage } from '../helpers/app-page'

/**
 * Research formats in the Viewer (browser mode, Debian's Chromium): a DICOM SEG drawn over the MR series it
 * references, a VOI LUT Sequence as the default display and a preset, and pixels spaced 2:1 drawn at their true
 * shape. Files are written by the test (pydicom for the SEG and the LUT, the app's own writer for the 2:1 image).
 * Screenshots go to test-results/research-formats/.
 */

const SHOTS = path.resolve(__dirname, '../../test-results/research-formats')
const FIXTURES = path.resolve(__dirname, '../fixtures/pixel-data')

interface CanvasLike {
  width: number
  height: number
  dataset: Record<string, string | undefined>
  getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }
}

/** Bounding box (canvas pixels) of the pixels brighter than `threshold` in the viewer canvas. */
async function brightBox(page: Page, threshold: number): Promise<{ w: number; h: number }> {
  return page.getByTestId('viewer-canvas').evaluate((el, t) => {
    const c = el as unknown as CanvasLike
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height)
    let minX = Infinity,
      maxX = -1,
      minY = Infinity,
      maxY = -1
    for (let y = 0; y < c.height; y++)
      for (let x = 0; x < c.width; x++)
        if (data[(y * c.width + x) * 4] > t) {
          minX = Math.min(minX, x)
          maxX = Math.max(maxX, x)
          minY = Math.min(minY, y)
          maxY = Math.max(maxY, y)
        }
    return { w: maxX - minX + 1, h: maxY - minY + 1 }
  }, threshold)
}

/** Counts of overlay pixels that are mostly red (tumour) and mostly not red but coloured (oedema). */
async function overlayColours(page: Page): Promise<{ red: number; other: number }> {
  return page.getByTestId('seg-overlay-canvas').evaluate((el) => {
    const c = el as unknown as CanvasLike
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height)
    let red = 0,
      other = 0
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue
      if (data[i] > 200 && data[i + 1] < 60 && data[i + 2] < 60) red++
      else other++
    }
    return { red, other }
  })
}

/** A 128×64 MONOCHROME2 image of a disc of radius 50 mm, with pixels 1 mm wide and 2 mm tall. */
function writeTallPixels(file: string): void {
  const rows = 64
  const cols = 128
  const px = new Uint8Array(rows * cols)
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      const mmX = (x + 0.5 - cols / 2) * 1
      const mmY = (y + 0.5 - rows / 2) * 2
      px[y * cols + x] = Math.hypot(mmX, mmY) <= 50 ? 230 : 10
    }
  writeGrey8(file, rows, cols, px, [
    { tag: 0x00280030, vr: 'DS', value: [2, 1] },
    { tag: 0x00281050, vr: 'DS', value: 128 },
    { tag: 0x00281051, vr: 'DS', value: 256 }
  ])
}

async function openPath(page: Page, p: string): Promise<void> {
  await page.getByTestId('viewer-path').fill(p)
  await page.getByTestId('viewer-path').press('Enter')
}

describe('research formats in the viewer', () => {
  const data = scratchDir('e2e-research-formats')
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  let seg: { slices: { path: string }[]; seg: string }
  let voi: { file: string }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true })
    const dir = fs.realpathSync(data.dir)
    const run = (script: string, out: string) =>
      JSON.parse(execFileSync('/usr/bin/python3', [path.join(FIXTURES, script), out], { encoding: 'utf8' }))
    seg = run('make_seg_series.py', path.join(dir, 'seg'))
    voi = run('make_voi_lut.py', path.join(dir, 'voi'))
    ;({ app, browser, page } = await openAppPage({ view: 'viewer', viewport: { width: 1280, height: 900 }, errors }))
    await page.getByTestId('viewer-empty').waitFor()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    data.cleanup()
  })

  it('overlays the DICOM SEG on the series it references, with its segments’ labels and colours', async () => {
    await openPath(page, path.dirname(seg.seg))
    await page.getByTestId('seg-bar').waitFor()
    const legend = page.getByTestId('seg-legend-item')
    await expect.poll(() => legend.allTextContents()).toEqual(['tumour', 'oedema'])
    // Slice 1 has no mask.
    await expect.poll(() => page.getByTestId('seg-none').count()).toBe(1)
    // Slice 3 holds both segments: the tumour in the file's red, the oedema in the default colour.
    await page.getByTestId('viewer-slider').fill('2')
    await expect
      .poll(() =>
        page.getByTestId('seg-overlay-canvas').evaluate((el) => (el as unknown as CanvasLike).dataset.labelled)
      )
      .toMatch(/^[1-9]\d*$/)
    const colours = await overlayColours(page)
    expect(colours.red).toBeGreaterThan(100)
    expect(colours.other).toBeGreaterThan(100)
    await page.screenshot({ path: path.join(SHOTS, 'seg-overlay.png') })
    // Off: nothing drawn over the image.
    await page.getByTestId('seg-toggle').uncheck()
    await expect.poll(() => page.getByTestId('seg-overlay-canvas').count()).toBe(0)
    await page.getByTestId('seg-toggle').check()
    await expect.poll(() => overlayColours(page).then((c) => c.red)).toBeGreaterThan(100)
    expect(errors).toEqual([])
  })

  it('shows a VOI LUT Sequence by default and offers it as a preset', async () => {
    await openPath(page, voi.file)
    await expect.poll(() => page.getByTestId('viewer-wl').textContent()).toContain('SQRT BRAIN')
    expect(await page.getByTestId('viewer-wl-lut').textContent()).toMatch(/VOI LUT · 600 entries from -200 HU/)
    await page.screenshot({ path: path.join(SHOTS, 'voi-lut.png') })
    await page.getByTestId('viewer-preset-full').click()
    await expect.poll(() => page.getByTestId('viewer-wl').textContent()).not.toContain('SQRT BRAIN')
    expect(await page.getByTestId('viewer-wl-lut').count()).toBe(0)
    await page.getByTestId('viewer-preset-voi-lut').click()
    await expect.poll(() => page.getByTestId('viewer-wl').textContent()).toContain('SQRT BRAIN')
    expect(errors).toEqual([])
  })

  it('draws pixels spaced 2 mm × 1 mm at their true shape: a disc stays round', async () => {
    const file = path.join(fs.realpathSync(data.dir), 'tall-pixels.dcm')
    writeTallPixels(file)
    await openPath(page, file)
    await expect
      .poll(() => page.getByTestId('viewer-canvas').evaluate((el) => (el as unknown as CanvasLike).dataset.path))
      .toBe(file)
    const box = await brightBox(page, 128)
    // 100 columns wide, 50 rows tall in pixels; on screen as wide as tall (within the edge pixels' rounding).
    expect(box.w).toBeGreaterThan(200)
    expect(Math.abs(box.w / box.h - 1)).toBeLessThan(0.04)
    await page.screenshot({ path: path.join(SHOTS, 'aspect-2-1.png') })
    expect(errors).toEqual([])
  })

  it('imports volumes along the plane chosen in the import form, skipping near-empty slices when asked', async () => {
    // 8 × 6 × 4 voxels, RAS: coronal slices run along y; y = 0 and y = 5 hold only background.
    const root = path.join(fs.realpathSync(data.dir), 'volumes')
    fs.mkdirSync(path.join(root, 'brain'), { recursive: true })
    const write = [
      'import sys, numpy as np, nibabel as nib',
      'v = np.zeros((8, 6, 4), np.int16); v[:, 1:5, :] = 500',
      'nib.save(nib.Nifti1Image(v, np.eye(4)), sys.argv[1])'
    ].join('\n')
    execFileSync('/usr/bin/python3', ['-c', write, path.join(root, 'brain', 'vol.nii.gz')])
    await page.goto('about:blank')
    await page.goto(`${app.url}#datasets`)
    await page.getByTestId('import-root').fill(root)
    await page.getByTestId('import-name').fill('coronal')
    await page.getByTestId('import-plane').selectOption('coronal')
    await page.getByTestId('import-skip-empty').check()
    await page.screenshot({ path: path.join(SHOTS, 'import-form.png') })
    await page.getByTestId('import-start').click()
    await page.getByTestId('import-report').waitFor()
    // 6 coronal slices, 2 of them empty: 4 items. The first item is coronal slice 2 (slice 1 was skipped).
    expect(await page.getByTestId('report-imported').textContent()).toBe('4')
    await page.getByTestId('import-show-items').click()
    await page.getByTestId('item-grid').waitFor()
    const cell = page.locator('[data-testid="item-grid"] [role="gridcell"][data-index="0"][data-item-id]')
    await cell.click()
    await expect.poll(() => page.getByTestId('item-details').textContent()).toContain('coronal slice 2 of 6')
    await page.screenshot({ path: path.join(SHOTS, 'import-coronal-items.png') })
    expect(errors).toEqual([])
  })

  it('offers the volume plane in the classify form', async () => {
    await page.goto('about:blank')
    await page.goto(`${app.url}#classify`)
    const plane = page.getByTestId('classify-plane')
    await plane.waitFor()
    expect(await plane.locator('option').allTextContents()).toEqual(['axial', 'coronal', 'sagittal'])
    expect(await plane.inputValue()).toBe('axial')
    await plane.selectOption('sagittal')
    await page.screenshot({ path: path.join(SHOTS, 'classify-form-plane.png') })
    expect(errors).toEqual([])
  })
})
