import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scratchDir } from '../fixtures/dicom/corpus'
import { type ServedApp } from '../helpers/serve'
import { openAppPage } from '../helpers/app-page'

/**
 * The Viewer's plane selector on a NIfTI volume (browser mode, Debian's Chromium): axial, coronal and sagittal
 * stacks with their slice counts and R/L, A/P, S/I edge labels. The volume (nibabel) is a 96×112×60 head-like
 * ellipsoid, 1×1×2 mm, RAS, with a darker marker in the patient's right-anterior-superior octant (in RAS, +x
 * points to the patient's right), so each plane shows where right, anterior and superior are drawn.
 * Screenshots go to test-results/volume-planes/.
 */

const SHOTS = path.resolve(__dirname, '../../test-results/volume-planes')

const WRITE = `
import sys, numpy as np, nibabel as nib
nx, ny, nz = 96, 112, 60
x, y, z = np.meshgrid(np.linspace(-1, 1, nx), np.linspace(-1, 1, ny), np.linspace(-1, 1, nz), indexing='ij')
v = ((x / 0.8) ** 2 + (y / 0.9) ** 2 + (z / 0.9) ** 2 < 1).astype(np.int16) * 600
v[(x > 0.25) & (x < 0.55) & (y > 0.3) & (y < 0.6) & (z > 0.3) & (z < 0.6)] = 250
img = nib.Nifti1Image(v, np.diag([1.0, 1.0, 2.0, 1.0]))
img.set_qform(img.affine, code=1)
nib.save(img, sys.argv[1])
`

interface PageCanvas {
  dataset: Record<string, string | undefined>
}

async function drawnFrame(page: Page): Promise<string | undefined> {
  return page.getByTestId('viewer-canvas').evaluate((el) => (el as unknown as PageCanvas).dataset.frame)
}

async function labels(page: Page): Promise<string[]> {
  return Promise.all(
    ['left', 'right', 'top', 'bottom'].map(
      async (e) => (await page.getByTestId(`viewer-orientation-${e}`).textContent()) ?? ''
    )
  )
}

/**
 * Which quarter of the drawn image holds the marker: the grey (neither black background nor white body)
 * pixels of the canvas, by their centre of mass relative to the painted image's bounding box.
 */
async function markerQuadrant(page: Page): Promise<string> {
  return page.getByTestId('viewer-canvas').evaluate((el) => {
    const c = el as unknown as {
      width: number
      height: number
      getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }
    }
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height)
    let minX = Infinity,
      maxX = -1,
      minY = Infinity,
      maxY = -1,
      sx = 0,
      sy = 0,
      n = 0
    for (let y = 0; y < c.height; y++)
      for (let x = 0; x < c.width; x++) {
        const v = data[(y * c.width + x) * 4]
        if (v > 20) {
          minX = Math.min(minX, x)
          maxX = Math.max(maxX, x)
          minY = Math.min(minY, y)
          maxY = Math.max(maxY, y)
        }
        if (v > 60 && v < 200) {
          sx += x
          sy += y
          n++
        }
      }
    if (!n) return 'none'
    const h = sx / n < (minX + maxX) / 2 ? 'left' : 'right'
    const v = sy / n < (minY + maxY) / 2 ? 'top' : 'bottom'
    return `${v}-${h}`
  })
}

describe('volume planes in the viewer', () => {
  const data = scratchDir('e2e-volume-planes')
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  let volume = ''

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true })
    volume = path.join(fs.realpathSync(data.dir), 'head.nii.gz')
    execFileSync('/usr/bin/python3', ['-c', WRITE, volume])
    ;({ app, browser, page } = await openAppPage({ view: 'viewer', viewport: { width: 1280, height: 900 }, errors }))
    await page.getByTestId('viewer-empty').waitFor()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    data.cleanup()
  })

  it('switches a volume between axial, coronal and sagittal stacks with their edge labels', async () => {
    await page.getByTestId('viewer-path').fill(volume)
    await page.getByTestId('viewer-path').press('Enter')
    await page.getByTestId('viewer-planes').waitFor()
    await expect.poll(() => page.getByTestId('viewer-position').textContent()).toBe('1 / 60')
    expect(await page.getByTestId('viewer-plane-axial').getAttribute('aria-checked')).toBe('true')
    // Radiological layout: the patient's right on the screen's left.
    await expect.poll(() => labels(page)).toEqual(['R', 'L', 'A', 'P'])
    // To the middle of the stack, through the marker (z 0.3–0.6 of ±1 → slices 39–47).
    await page.getByTestId('viewer-slider').fill('42')
    await expect.poll(() => drawnFrame(page)).toBe('42')
    // The marker (patient's right, anterior) sits in the screen's upper left quarter: darker than the body there.
    expect(await markerQuadrant(page)).toBe('top-left')
    await page.screenshot({ path: path.join(SHOTS, 'axial.png') })

    // Same relative depth in the new plane: 42/59 of 112 coronal slices.
    await page.getByTestId('viewer-plane-coronal').click()
    await expect
      .poll(() => page.getByTestId('viewer-position').textContent())
      .toBe(`${Math.round((42 / 59) * 111) + 1} / 112`)
    await expect.poll(() => labels(page)).toEqual(['R', 'L', 'S', 'I'])
    await expect.poll(() => drawnFrame(page)).toBe(String(Math.round((42 / 59) * 111)))
    expect(await markerQuadrant(page)).toBe('top-left')
    await page.screenshot({ path: path.join(SHOTS, 'coronal.png') })

    await page.getByTestId('viewer-plane-sagittal').click()
    await expect.poll(() => page.getByTestId('viewer-position').textContent()).toMatch(/ \/ 96$/)
    await expect.poll(() => labels(page)).toEqual(['A', 'P', 'S', 'I'])
    // Sagittal: anterior on the left, superior on top.
    expect(await markerQuadrant(page)).toBe('top-left')
    await page.screenshot({ path: path.join(SHOTS, 'sagittal.png') })

    await page.getByTestId('viewer-plane-axial').click()
    await expect.poll(() => labels(page)).toEqual(['R', 'L', 'A', 'P'])
    await expect.poll(() => page.getByTestId('viewer-position').textContent()).toMatch(/ \/ 60$/)
    expect(await page.getByTestId('viewer-error').count()).toBe(0)
    expect(errors).toEqual([])
  })

  it('imports the volume into a dataset as axial slices, each shown with its slice number', async () => {
    const root = data.file('dataset')
    fs.mkdirSync(path.join(root, 'brain'), { recursive: true })
    fs.copyFileSync(volume, path.join(root, 'brain', 'head.nii.gz'))
    // A fresh load: going to another hash of the same page would not reload it.
    await page.goto('about:blank')
    await page.goto(`${app.url}#datasets`)
    await page.getByTestId('import-root').fill(root)
    await page.getByTestId('import-name').fill('volumes')
    await page.getByTestId('import-start').click()
    await page.getByTestId('import-report').waitFor()
    expect(await page.getByTestId('report-imported').textContent()).toBe('60')
    await page.getByTestId('import-show-items').click()
    await page.getByTestId('item-grid').waitFor()
    await expect.poll(() => page.getByTestId('grid-counts').textContent()).toContain('60 items')
    const cell = page.locator('[data-testid="item-grid"] [role="gridcell"][data-index="2"][data-item-id]')
    expect((await cell.locator('.name').textContent())?.trim()).toBe('head.nii.gz #3')
    await cell.click()
    await expect.poll(() => page.getByTestId('item-details').textContent()).toContain('axial slice 3 of 60')
    await page.screenshot({ path: path.join(SHOTS, 'dataset-slices.png') })
    expect(errors).toEqual([])
  })
})
