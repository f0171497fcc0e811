import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/chromium'
import { startServe, type ServedApp } from '../helpers/serve'
import { tempDir, trainLeftRightModel, writePatientFolder, type PatientFolder } from '../unit/inference/fixtures'
import { importAndSplit, writeTrainingDataset } from '../unit/training-ui/fixtures'
import { trainStage1WithCli } from '../helpers/cli-stage1-run'

// The learning-rate finder in the Training view and test-time augmentation in the Classify view, in browser
// mode against a real engine.

const SHOTS = path.resolve(__dirname, '../../test-results/evidence-e2')

/** The page's chart registry (window.__charts), described without the DOM library the test project lacks. */
type PageCharts = {
  __charts?: Record<string, { data: { datasets: { label: string; data: { x: number; y: number }[] }[] } }>
}

describe('learning-rate finder and test-time augmentation in browser mode', () => {
  const tmp = tempDir('e2-lr-tta')
  const workspace = path.join(tmp.dir, 'ws')
  let modelDir = ''
  let patient: PatientFolder
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) })

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true })
    await writeTrainingDataset(path.join(tmp.dir, 'data'))
    importAndSplit(path.join(tmp.dir, 'data'), 'brain-mri', workspace)
    modelDir = await trainLeftRightModel(path.join(tmp.dir, 'model'))
    patient = await writePatientFolder(path.join(tmp.dir, 'P-0042'), 64)
    app = await startServe({ workspace })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    page.on('pageerror', (e) => errors.push(e.message))
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    tmp.cleanup()
  })

  it('finds a learning rate, plots loss against rate, and applies the suggestion to the form', async () => {
    await page.goto(`${app.url}#training`)
    await page.getByTestId('config-form').waitFor()
    await page.getByTestId('preset-select').selectOption('Quick CPU (stage 1 on cached embeddings)')
    await page.getByTestId('field-inputSize').fill('64')
    await page.getByTestId('field-inputSize').press('Tab')
    const lrField = page.getByTestId('field-stage1.learningRate')
    if (!(await lrField.isVisible())) await page.getByTestId('section-stage1').locator('summary').click()
    const before = await lrField.inputValue()

    await page.getByTestId('lr-find-run').click()
    await page.getByTestId('lr-find-suggested').waitFor({ timeout: 120_000 })
    const chart = await page.evaluate(() => {
      const c = (globalThis as unknown as PageCharts).__charts?.['lr-find-chart']
      return c ? c.data.datasets.map((d) => ({ label: d.label, n: d.data.length, xs: d.data.map((p) => p.x) })) : []
    })
    expect(chart.map((d) => d.label.replace(/ .*/, ''))).toEqual(['training', 'smoothed', 'suggested'])
    expect(chart[1].n).toBeGreaterThan(50)
    expect(chart[1].xs[0]).toBeCloseTo(1e-6, 12)
    const suggested = chart[2].xs[0]
    expect(suggested).toBeGreaterThan(1e-6)
    expect(suggested).toBeLessThan(1)
    expect(await page.getByTestId('lr-find-facts').textContent()).toMatch(/Measured on \d+ training images/)
    await page.getByTestId('lr-find').scrollIntoViewIfNeeded()
    await shot('lr-find-plot')

    await page.getByTestId('lr-find-apply').click()
    const applied = Number(suggested.toPrecision(2))
    await expect.poll(() => lrField.inputValue()).not.toBe(before)
    expect(Number(await lrField.inputValue())).toBeCloseTo(applied, 12)
    expect(await page.getByTestId('lr-find-apply').textContent()).toBe('Applied')
    await lrField.scrollIntoViewIfNeeded()
    await shot('lr-find-applied')
  }, 180_000)

  it('sweeps stage 2 from a completed run’s stage 1 head, cancels a sweep, and applies to stage 2', async () => {
    // A completed stage-1 run of the dataset, trained outside the page (the CLI on the same workspace).
    const run = trainStage1WithCli('brain-mri', 'stage 1 only', workspace, tmp.dir)
    await page.getByTestId('lr-find-stage').selectOption('2')
    await expect.poll(() => page.getByTestId('lr-find-run-pick').inputValue()).toBe(String(run.runId))

    // Cancel while it sweeps: the panel says so and is ready again.
    await page.getByTestId('lr-find-run').click()
    await expect
      .poll(() => page.getByTestId('lr-find-progress').textContent(), { timeout: 90_000 })
      .toMatch(/^Learning rate/)
    await shot('lr-find-running')
    await page.getByTestId('lr-find-cancel').click()
    await expect.poll(() => page.getByTestId('lr-find-cancelled').textContent()).toMatch(/Sweep cancelled/)
    expect(await page.getByTestId('lr-find-error').count()).toBe(0)
    expect(await page.getByTestId('lr-find-cancel').count()).toBe(0)
    await shot('lr-find-cancelled')

    await page.getByTestId('lr-find-run').click()
    await page.getByTestId('lr-find-suggested').waitFor({ timeout: 180_000 })
    const facts = ((await page.getByTestId('lr-find-facts').textContent()) ?? '').replace(/\s+/g, ' ')
    expect(facts).toMatch(
      new RegExp(
        `training images of run ${run.runId}: stage 2, top 30 backbone layers \\+ head from run ${run.runId}'s stage 1 head`
      )
    )
    expect(facts).toMatch(/trained on ONNX Runtime/)
    const stage2Field = page.getByTestId('field-stage2.learningRate')
    if (!(await stage2Field.isVisible())) await page.getByTestId('section-stage2').locator('summary').click()
    const stage1Before = await page.getByTestId('field-stage1.learningRate').inputValue()
    expect(await page.getByTestId('lr-find-apply').textContent()).toBe('Apply to stage 2')
    await page.getByTestId('lr-find-apply').click()
    const suggested = await page.evaluate(() => {
      const c = (globalThis as unknown as PageCharts).__charts?.['lr-find-chart']
      return c?.data.datasets[2].data[0].x ?? null
    })
    expect(suggested).not.toBeNull()
    await expect
      .poll(async () => Number(await stage2Field.inputValue()))
      .toBeCloseTo(Number(suggested!.toPrecision(2)), 12)
    // Stage 1's rate is left alone.
    expect(await page.getByTestId('field-stage1.learningRate').inputValue()).toBe(stage1Before)
    await page.getByTestId('lr-find').scrollIntoViewIfNeeded()
    await shot('lr-find-stage2')
    await page.getByTestId('lr-find-stage').selectOption('1')
  }, 360_000)

  it('classifies with TTA: an uncertainty column, filterable', async () => {
    // The app reads the view from the hash when it loads: a hash-only navigation needs the reload.
    await page.goto(`${app.url}#classify`)
    await page.reload()
    await page.getByTestId('classify-empty').waitFor()
    await page.getByTestId('classify-model').selectOption('folder')
    await page.getByTestId('classify-model-folder').fill(modelDir)
    await page.getByTestId('classify-model-folder').press('Tab')
    await expect.poll(() => page.getByTestId('classify-model-info').textContent()).toContain('left · right')
    await page.getByTestId('classify-folder').fill(patient.root)
    await page.getByTestId('classify-tta').check()
    await page.getByTestId('classify-start').click()
    await expect.poll(() => page.getByTestId('classify-status').textContent(), { timeout: 90_000 }).toBe('completed')
    const n = patient.truth.size
    await expect.poll(() => page.getByTestId('classify-row-count').textContent()).toBe(`${n} of ${n} predictions`)
    const cells = await page.getByTestId('classify-uncertainty').allTextContents()
    expect(cells).toHaveLength(n)
    const values = cells.map((t) => Number(t.replace(' %', '')) / 100)
    for (const v of values) expect(v).toBeGreaterThanOrEqual(0)
    await shot('classify-tta')

    // The filter keeps exactly the rows at or above the bound (the median, so it keeps some and drops some).
    const bound = [...values].sort((a, b) => a - b)[Math.floor(n / 2)]
    await page.getByTestId('filter-uncertainty').fill(String(bound))
    await page.getByTestId('filter-uncertainty').press('Tab')
    const kept = values.filter((v) => v >= bound - 5e-4).length
    await expect.poll(() => page.getByTestId('classify-row').count()).toBeLessThanOrEqual(kept)
    const shownCells = await page.getByTestId('classify-uncertainty').allTextContents()
    for (const t of shownCells) expect(Number(t.replace(' %', '')) / 100).toBeGreaterThanOrEqual(bound - 5e-4)
    expect(shownCells.length).toBeGreaterThan(0)
    expect(shownCells.length).toBeLessThan(n)
    await page.getByTestId('sort-uncertainty').click()
    await page.getByTestId('sort-uncertainty').click()
    await shot('classify-tta-filtered')
    expect(errors).toEqual([])
  }, 180_000)
})
