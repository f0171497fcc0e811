import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAppPage } from '../helpers/app-page'
import type { ServedApp } from '../helpers/serve'
import {
  tempDir,
  trainLeftRightModel,
  treeFingerprint,
  writePatientFolder,
  type PatientFolder
} from '../unit/inference/fixtures'

const SHOTS = path.resolve(__dirname, '../../test-results/classify')

/*
 * Functions passed to evaluate() run in the page. The test project compiles without the DOM library, so they
 * describe the few page objects they touch with these local types.
 */
interface PageCanvas {
  width: number
  height: number
  dataset: Record<string, string | undefined>
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }
}

/** Share of the overlay canvas's pixels that are not fully transparent. */
async function overlayCoverage(page: Page): Promise<number> {
  return page.getByTestId('saliency-canvas').evaluate((el) => {
    const c = el as unknown as PageCanvas
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
    let n = 0
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++
    return n / (c.width * c.height)
  })
}

const drawnOf = (page: Page) =>
  page.getByTestId('saliency-canvas').evaluate((el) => (el as unknown as PageCanvas).dataset.drawn ?? '')

describe('batch classification in browser mode', () => {
  const tmp = tempDir('e2e')
  let modelDir = ''
  let patient: PatientFolder
  let before: Record<string, string> = {}
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true })
    modelDir = await trainLeftRightModel(path.join(tmp.dir, 'model'), {}, 128)
    patient = await writePatientFolder(path.join(tmp.dir, 'P-0042'), 128)
    before = treeFingerprint(patient.root)
    ;({ app, browser, page } = await openAppPage({
      view: 'classify',
      viewport: { width: 1440, height: 960 },
      acceptDownloads: true,
      errors,
      workspace: path.join(tmp.dir, 'ws')
    }))
    await page.getByTestId('classify-empty').waitFor()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    tmp.cleanup()
  })

  it('runs a job on a model folder and a patient folder, with results, chart and failures', async () => {
    await page.getByTestId('classify-model').selectOption('folder')
    await page.getByTestId('classify-model-folder').fill(modelDir)
    await page.getByTestId('classify-model-folder').press('Tab')
    await expect.poll(() => page.getByTestId('classify-model-info').textContent()).toContain('left · right')
    await page.getByTestId('classify-folder').fill(patient.root)
    await page.getByTestId('classify-start').click()
    await expect.poll(() => page.getByTestId('classify-status').textContent(), { timeout: 60_000 }).toBe('completed')
    const n = patient.truth.size
    await expect.poll(() => page.getByTestId('classify-row-count').textContent()).toBe(`${n} of ${n} predictions`)
    expect(await page.getByTestId('classify-row').count()).toBe(n)
    expect(await page.getByTestId('group-patient').count()).toBe(3)
    expect(await page.getByTestId('group-series').count()).toBe(4)
    expect(await page.getByTestId('classify-failure').count()).toBe(patient.bad.size)
    const counts = JSON.parse((await page.getByTestId('classify-chart').getAttribute('data-counts'))!) as Record<
      string,
      number
    >
    expect(counts.left + counts.right).toBe(n)
    expect(await page.getByTestId('classify-job').count()).toBe(1)
    await page.screenshot({ path: path.join(SHOTS, '01-results.png'), fullPage: true })
  })

  it('filters by class and sorts by confidence', async () => {
    const counts = JSON.parse((await page.getByTestId('classify-chart').getAttribute('data-counts'))!) as Record<
      string,
      number
    >
    await page.getByTestId('filter-class').selectOption('right')
    await expect.poll(() => page.getByTestId('classify-row').count()).toBe(counts.right)
    await page.getByTestId('filter-class').selectOption('')
    await page.getByTestId('filter-grouped').uncheck()
    await page.getByTestId('sort-confidence').click()
    const confidences = await page.locator('[data-testid=classify-row] .conf').allTextContents()
    const values = confidences.map((t) => Number(/([\d.]+) %/.exec(t)?.[1]))
    expect(values).toEqual([...values].sort((a, b) => a - b))
    await page.screenshot({ path: path.join(SHOTS, '02-sorted-by-confidence.png') })
    await page.getByTestId('filter-grouped').check()
    await page.getByTestId('sort-confidence').click()
  })

  it('opens a result in the viewer with its Grad-CAM overlay, adjustable', async () => {
    const row = page.locator('[data-testid=classify-row][data-path$="T1/IM3"]')
    const file = (await row.getAttribute('data-path'))!
    await row.click()
    await page.getByTestId('classify-viewer').waitFor()
    await expect
      .poll(() => page.getByTestId('viewer-canvas').evaluate((el) => (el as unknown as PageCanvas).dataset.path), {
        timeout: 15_000
      })
      .toBe(file)
    await expect.poll(() => drawnOf(page), { timeout: 15_000 }).toMatch(/^\d+:\d$/)
    expect(await page.getByTestId('classify-viewer-prediction').textContent()).toMatch(/left|right/)
    const coverage = await overlayCoverage(page)
    expect(coverage).toBeGreaterThan(0.01)
    // The model was trained with a saliency baseline: the overlay names its method, layer and grid (4 × 4 at 64 px).
    expect(await page.getByTestId('saliency-method').textContent()).toBe(
      'vs training mean · block_13_expand_relu 4 × 4'
    )
    expect((await page.getByTestId('saliency-visible').locator('..').textContent())?.trim()).toBe('LayerCAM')
    await page.screenshot({ path: path.join(SHOTS, '03-viewer-gradcam.png') })

    // Another class, another colour map, more opaque.
    const first = await drawnOf(page)
    const other = first.endsWith(':0') ? '1' : '0'
    await page.getByTestId('saliency-class').selectOption(other)
    await expect.poll(() => drawnOf(page)).toBe(`${first.split(':')[0]}:${other}`)
    await page.getByTestId('saliency-colormap').selectOption('inferno')
    await page.getByTestId('saliency-opacity').fill('0.8')
    expect(
      await page
        .getByTestId('saliency-canvas')
        .evaluate((el) => (el as unknown as { style: { opacity: string } }).style.opacity)
    ).toBe('0.8')
    await page.screenshot({ path: path.join(SHOTS, '04-viewer-other-class-inferno.png') })
    await page.getByTestId('saliency-class').selectOption('-1')

    // The overlay follows the slice: the next slice of the series shows its own map.
    await page.getByTestId('viewer-canvas').click()
    await page.keyboard.press('ArrowDown')
    await expect.poll(() => drawnOf(page)).not.toBe(first)
    await page.getByTestId('saliency-visible').uncheck()
    await expect.poll(() => drawnOf(page)).toBe('')
    expect(await overlayCoverage(page)).toBe(0)
    await page.getByTestId('saliency-visible').check()
    await page.getByTestId('classify-viewer-back').click()
    await page.getByTestId('classify-table').waitFor()
  })

  it('exports CSV without patient identifiers, and the folder is unchanged', async () => {
    await page.getByTestId('export-deidentify').check()
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-button').click()])
    expect(download.suggestedFilename()).toMatch(/^classification-\d+-deidentified\.csv$/)
    const csv = fs.readFileSync((await download.path())!, 'utf8')
    const lines = csv.trimEnd().split('\r\n')
    expect(lines[0]).toBe(
      'path,frame,patient_id,study_uid,series_uid,slice_index,slice_position,predicted,confidence,p_left,p_right'
    )
    // Identifiers are replaced by pseudonyms, the same in every row of one patient.
    for (const row of lines.slice(1)) expect(row).toMatch(/^file-\d+,\d+,patient-\d+,(study-\d+)?,(series-\d+)?,/)
    expect(csv).not.toContain(patient.root)
    expect(lines).toHaveLength(patient.truth.size + 1)
    expect(csv).not.toMatch(/P-00[12]|Doe|Roe|P-0042/)
    await expect.poll(() => page.getByTestId('export-done').textContent()).toContain(`${patient.truth.size} rows`)
    await page.screenshot({ path: path.join(SHOTS, '05-exported.png') })
    expect(treeFingerprint(patient.root)).toEqual(before)
    expect(errors).toEqual([])
  })
})
