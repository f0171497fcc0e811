import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAppPage } from '../helpers/app-page'
import { type ServedApp } from '../helpers/serve'
import { tempDir, trainLeftRightModel, writePatientFolder } from '../unit/inference/fixtures'
import { ctStored, FILE_WINDOWS, mrStored, writeCtSlice } from '../unit/viewer/fixtures'

/*
 * Issue #15's reading-room conventions in the Viewer: the wheel scrolls slices, MR gets MR windows, the window
 * is remembered per series, the overlay names slice, location, series and spacing (patient hideable), the
 * series list shows positions and thumbnails, errors name the path, and the Grad-CAM overlay stays with the
 * classification result.
 */
const SHOTS = path.resolve(__dirname, '../../test-results/viewer-conventions')
const SIZE = 128
const SLICES = 12
const CT_UID = '1.2.826.0.1.3680043.10.1419.77.151'
const MR_UID = '1.2.826.0.1.3680043.10.1419.77.152'

interface PageCanvas {
  width: number
  height: number
  dataset: Record<string, string | undefined>
  getBoundingClientRect(): { left: number; top: number; width: number; height: number }
}

const text = async (page: Page, id: string) => (await page.getByTestId(id).first().textContent())?.trim() ?? ''

async function canvasBox(page: Page): Promise<{ x: number; y: number }> {
  return page.getByTestId('viewer-canvas').evaluate((el) => {
    const r = (el as unknown as PageCanvas).getBoundingClientRect()
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 }
  })
}

/** Centre and width of the overlay's window, e.g. 'C 40 / W 80 HU'. */
async function wl(page: Page): Promise<{ c: number; w: number; label: string }> {
  const t = await text(page, 'viewer-wl')
  const m = /C (-?[\d.]+) \/ W ([\d.]+)/.exec(t)
  return { c: Number(m?.[1]), w: Number(m?.[2]), label: t }
}

async function selectSeries(page: Page, name: string, folder: string): Promise<void> {
  await page.locator('[data-testid="viewer-series-item"]', { hasText: name }).click()
  await expect.poll(() => text(page, 'viewer-overlay-series')).toBe(name)
  await expect
    .poll(() => page.getByTestId('viewer-canvas').evaluate((el) => (el as unknown as PageCanvas).dataset.path ?? ''))
    .toContain(`${path.sep}${folder}${path.sep}`)
}

/** Exact lo/hi percentiles of the MR slice's values, to check the 1–99 % preset. */
function percentiles(slice: number, lo: number, hi: number): [number, number] {
  const v: number[] = []
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) v.push(mrStored(x, y, slice, SIZE, SIZE))
  v.sort((a, b) => a - b)
  const at = (p: number) => v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)]
  return [at(lo), at(hi)]
}

describe('viewer conventions in browser mode', () => {
  const tmp = tempDir('e2e-conv')
  const study = path.join(tmp.dir, 'study')
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) })

  beforeAll(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true })
    fs.mkdirSync(SHOTS, { recursive: true })
    for (let k = 0; k < SLICES; k++) {
      const common = { rows: SIZE, columns: SIZE, slice: k }
      writeCtSlice(path.join(study, 'ct'), `c${k}.dcm`, {
        ...common,
        seriesUID: CT_UID,
        seriesNumber: 2,
        description: 'HEAD CT',
        windows: FILE_WINDOWS
      })
      writeCtSlice(path.join(study, 'mr'), `m${k}.dcm`, {
        ...common,
        seriesUID: MR_UID,
        seriesNumber: 3,
        description: 'T2 AXIAL',
        modality: 'MR'
      })
    }
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

  it('scrolls slices with the wheel, zooms with Ctrl+wheel, and a setting brings the old wheel back', async () => {
    await page.getByTestId('viewer-path').fill(study)
    await page.getByTestId('viewer-path').press('Enter')
    await expect.poll(() => page.getByTestId('viewer-series-item').count()).toBe(2)
    await selectSeries(page, 'HEAD CT', 'ct')
    expect(await text(page, 'viewer-position')).toBe(`1 / ${SLICES}`)
    const c = await canvasBox(page)
    await page.mouse.move(c.x, c.y)
    const zoomOf = async () => /Zoom \d+%/.exec(await text(page, 'viewer-zoom'))?.[0]
    const zoom0 = await zoomOf()
    await page.mouse.wheel(0, 100)
    await expect.poll(() => text(page, 'viewer-position')).toBe(`2 / ${SLICES}`)
    await page.mouse.wheel(0, 100)
    await page.mouse.wheel(0, 100)
    await expect.poll(() => text(page, 'viewer-position')).toBe(`4 / ${SLICES}`)
    await page.mouse.wheel(0, -100)
    await expect.poll(() => text(page, 'viewer-position')).toBe(`3 / ${SLICES}`)
    expect(await zoomOf()).toBe(zoom0)

    await page.keyboard.down('Control')
    await page.mouse.wheel(0, -100)
    await page.keyboard.up('Control')
    await expect.poll(zoomOf).not.toBe(zoom0)
    expect(await text(page, 'viewer-position')).toBe(`3 / ${SLICES}`)

    await page.getByTestId('viewer-wheel-mode').selectOption('zoom')
    const zoom1 = await zoomOf()
    await page.mouse.wheel(0, -100)
    await expect.poll(zoomOf).not.toBe(zoom1)
    expect(await text(page, 'viewer-position')).toBe(`3 / ${SLICES}`)
    await page.getByTestId('viewer-wheel-mode').selectOption('scroll')
    await page.keyboard.press('f')

    await page.keyboard.press('?')
    const help = await text(page, 'viewer-help')
    expect(help).toContain('Mouse wheelPrevious / next slice')
    expect(help).toContain('Ctrl+wheel')
    expect(help).toContain('Anonymise overlay')
    await shot('01-help')
    await page.keyboard.press('Escape')
  })

  it('shows slice n/total, location along the normal, series, spacing; A hides the patient', async () => {
    expect(await text(page, 'viewer-overlay-slice')).toBe(`Slice 3/${SLICES} · 5.0 mm`)
    expect(await text(page, 'viewer-overlay-spacing')).toBe('0.5 × 0.5 mm/px')
    expect(await text(page, 'viewer-overlay-series')).toBe('HEAD CT')
    expect(await text(page, 'viewer-overlay-patient')).toBe('Phantom Viewer · VIEW-0001')
    await shot('02-overlay')
    await page.keyboard.press('a')
    await expect.poll(() => page.getByTestId('viewer-overlay-patient').count()).toBe(0)
    expect(await page.getByTestId('viewer-overlay-tl').textContent()).not.toContain('VIEW-0001')
    expect(await page.getByTestId('viewer-anonymise').getAttribute('aria-pressed')).toBe('true')
    await shot('03-overlay-anonymised')
    await page.keyboard.press('a')
    await expect.poll(() => text(page, 'viewer-overlay-patient')).toBe('Phantom Viewer · VIEW-0001')
  })

  it('lists slices by position and shows a thumbnail per series', async () => {
    const entries = await page.locator('[data-testid="viewer-series"] .entry').allTextContents()
    expect(entries).toHaveLength(SLICES)
    expect(entries[0].trim()).toBe('#1 · 0.0 mm')
    expect(entries[4].trim()).toBe('#5 · 10.0 mm')
    await expect
      .poll(() =>
        page
          .getByTestId('viewer-series-thumb')
          .evaluateAll((els) => els.map((e) => (e as unknown as PageCanvas).dataset.drawn ?? ''))
      )
      .toEqual([expect.stringContaining(path.join('study', 'ct')), expect.stringContaining(path.join('study', 'mr'))])
  })

  it('offers MR windows on an MR series and CT presets only on CT', async () => {
    expect(await page.getByTestId('viewer-preset-brain').count()).toBe(1)
    await selectSeries(page, 'T2 AXIAL', 'mr')
    for (const id of ['auto', 'full', 'p1-99', 'p5-95'])
      expect(await page.getByTestId(`viewer-preset-${id}`).count()).toBe(1)
    for (const id of ['brain', 'subdural', 'bone'])
      expect(await page.getByTestId(`viewer-preset-${id}`).count()).toBe(0)
    const auto = await wl(page)
    expect(auto.label).not.toContain('HU')
    // A CT shortcut does nothing on MR.
    await page.keyboard.press('Shift+Digit2')
    expect((await wl(page)).label).toBe(auto.label)
    await page.getByTestId('viewer-preset-p1-99').click()
    const w = await wl(page)
    expect(w.label).toContain('1–99 %')
    const [lo, hi] = percentiles(0, 1, 99)
    const tol = 2 * ((3000 + 1024) / 4096) + 1
    expect(Math.abs(w.c - (lo + hi) / 2)).toBeLessThanOrEqual(tol)
    expect(Math.abs(w.w - (hi - lo))).toBeLessThanOrEqual(2 * tol)
    await page.getByTestId('viewer-preset-full').click()
    expect((await wl(page)).label).toContain('Full range')
    await shot('04-mr-presets')
  })

  it('remembers the last window per series, never carrying it into another', async () => {
    await page.getByTestId('viewer-preset-p5-95').click()
    const mr = await wl(page)
    expect(mr.label).toContain('5–95 %')
    await selectSeries(page, 'HEAD CT', 'ct')
    expect((await wl(page)).label).toContain('C 40 / W 80 HU')
    await page.getByTestId('viewer-preset-bone').click()
    await selectSeries(page, 'T2 AXIAL', 'mr')
    expect(await wl(page)).toEqual(mr)
    await selectSeries(page, 'HEAD CT', 'ct')
    expect((await wl(page)).label).toContain('C 600 / W 2800 HU')
    await shot('05-per-series-window')
  })

  it('measures a length in mm and an elliptical ROI in HU', async () => {
    await page.keyboard.press('1')
    const g = await page.getByTestId('viewer-canvas').evaluate((el) => {
      const c = el as unknown as PageCanvas
      const r = c.getBoundingClientRect()
      return { w: c.width, h: c.height, left: r.left, top: r.top, dpr: r.width > 0 ? c.width / r.width : 1 }
    })
    // At 1:1 the image's top-left sits on a whole canvas pixel, centred; image point (x, y) in CSS pixels:
    const ox = Math.round((g.w - SIZE) / 2)
    const oy = Math.round((g.h - SIZE) / 2)
    const at = (x: number, y: number) => [g.left + (ox + x) / g.dpr, g.top + (oy + y) / g.dpr] as const
    const drag = async (a: readonly [number, number], b: readonly [number, number]) => {
      await page.mouse.move(...at(...a))
      await page.mouse.down()
      await page.mouse.move(...at(...b), { steps: 5 })
      await page.mouse.up()
    }
    await page.keyboard.press('l')
    expect(await page.getByTestId('viewer-tool-length').getAttribute('aria-pressed')).toBe('true')
    // 100 pixels at 0.5 mm Pixel Spacing.
    await drag([10, 20], [110, 20])
    await expect.poll(() => page.getByTestId('viewer-measure-label').allTextContents()).toEqual(['50.0 mm'])

    await page.keyboard.press('e')
    await drag([30, 30], [70, 61])
    // The expected statistics: pixels whose centre lies inside the ellipse, from the phantom's HU values.
    const vals: number[] = []
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++) {
        const u = (x + 0.5 - 50) / 20
        const v = (y + 0.5 - 45.5) / 15.5
        if (u * u + v * v <= 1) vals.push(ctStored(x, y, 0, SIZE, SIZE))
      }
    const mean = vals.reduce((p, q) => p + q, 0) / vals.length
    const sd = Math.sqrt(vals.reduce((p, q) => p + (q - mean) ** 2, 0) / vals.length)
    const area = vals.length * 0.25
    await expect
      .poll(() => page.getByTestId('viewer-measure-label').allTextContents())
      .toEqual(['50.0 mm', `mean ${mean.toFixed(1)} HU · SD ${sd.toFixed(1)} · ${area.toFixed(1)} mm²`])
    await shot('06-measure')
    // Measurements stay with their slice; Esc stops measuring and left-drag pans again.
    await page.keyboard.press('ArrowDown')
    await expect.poll(() => page.getByTestId('viewer-measure-label').count()).toBe(0)
    await page.keyboard.press('ArrowUp')
    await expect.poll(() => page.getByTestId('viewer-measure-label').count()).toBe(2)
    await page.keyboard.press('Escape')
    expect(await page.getByTestId('viewer-tool-ellipse').getAttribute('aria-pressed')).toBe('false')
    await page.getByTestId('viewer-measure-clear').click()
    await expect.poll(() => page.getByTestId('viewer-measure-label').count()).toBe(0)
  })

  it('names a missing path plainly', async () => {
    const missing = path.join(tmp.dir, 'no-such-folder')
    await page.getByTestId('viewer-path').fill(missing)
    await page.getByTestId('viewer-path').press('Enter')
    await expect.poll(() => text(page, 'viewer-open-error')).toBe(`no such file or folder: ${missing}`)
    await shot('07-missing-path')
  })

  it('keeps the Grad-CAM overlay with the classification result, not in the plain Viewer', async () => {
    const modelDir = await trainLeftRightModel(path.join(tmp.dir, 'model'), {}, 64)
    const patient = await writePatientFolder(path.join(tmp.dir, 'P-7'), 64)
    await page.click('nav [data-view="classify"]')
    await page.getByTestId('classify-model').selectOption('folder')
    await page.getByTestId('classify-model-folder').fill(modelDir)
    await page.getByTestId('classify-model-folder').press('Tab')
    await page.getByTestId('classify-folder').fill(patient.root)
    await page.getByTestId('classify-start').click()
    await expect.poll(() => text(page, 'classify-status'), { timeout: 90_000 }).toBe('completed')
    await page.getByTestId('classify-row').first().click()
    await page.getByTestId('classify-viewer').waitFor()
    await expect
      .poll(
        () => page.getByTestId('saliency-canvas').evaluate((el) => (el as unknown as PageCanvas).dataset.drawn ?? ''),
        {
          timeout: 20_000
        }
      )
      .toMatch(/^\d+:\d$/)
    await shot('08-classify-overlay')
    await page.getByTestId('classify-viewer-back').click()
    await page.click('nav [data-view="viewer"]')
    await page.getByTestId('viewer').waitFor()
    // The same image is on screen in the Viewer, without the result's overlay or its controls.
    await expect
      .poll(() => page.getByTestId('viewer-canvas').evaluate((el) => (el as unknown as PageCanvas).dataset.path ?? ''))
      .toContain(patient.root)
    expect(await page.getByTestId('saliency-canvas').count()).toBe(0)
    expect(await page.getByTestId('saliency-controls').count()).toBe(0)
    await shot('09-viewer-without-overlay')
    expect(errors).toEqual([])
  }, 240_000)
})
