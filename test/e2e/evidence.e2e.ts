import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { e2eScratch, readCatalog } from '../helpers/e2e-scratch'
import { launchChromium } from '../helpers/chromium'
import { startServe, type ServedApp } from '../helpers/serve'
import { CLASSES, cli, writeTrainingDataset } from '../unit/training-ui/fixtures'

describe('evidence UI in browser mode: cross-validation, intervals, external validation, label review', () => {
  const scratch = e2eScratch('np-evidence-ui-', 'evidence')
  const { tmp, workspace } = scratch
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []

  const catalog = <T>(sql: string, ...args: unknown[]): T[] => readCatalog<T>(workspace, sql, ...args)
  const shot = (name: string) => scratch.shot(page, name)
  const labelOf = (file: string) =>
    catalog<{ name: string }>(
      'SELECT c.name FROM dataset_items i JOIN dataset_classes c ON c.id = i.class_id WHERE i.path LIKE ?',
      `%${file}`
    )[0]?.name

  async function field(key: string, value: string): Promise<void> {
    const el = page.getByTestId(`field-${key}`)
    if (!(await el.isVisible()))
      await page
        .getByTestId(`section-${key.split('.')[0]}`)
        .locator('summary')
        .click()
    await el.fill(value)
  }

  beforeAll(async () => {
    const data = path.join(tmp, 'data')
    await writeTrainingDataset(data, 12, 0)
    // Two discs filed as meningioma on purpose: label errors the review must surface.
    for (const i of [0, 1]) {
      fs.copyFileSync(path.join(data, CLASSES[0], `img0${i}.png`), path.join(data, CLASSES[1], `misfiled${i}.png`))
    }
    cli(['import', data, '--dataset', 'brain-mri'], workspace)
    // A site outside the catalog: the three class folders plus one the model does not know.
    const site = path.join(tmp, 'site-b')
    await writeTrainingDataset(site, 4, 0)
    fs.mkdirSync(path.join(site, 'unknown_tumour'))
    app = await startServe({ workspace })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${app.url}#training`)
    await page.getByTestId('config-form').waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    scratch.remove()
  })

  it('runs a 3-fold study from the Training view (no split needed) and shows it in the Runs view', async () => {
    await page.getByTestId('preset-select').selectOption('Quick CPU (stage 1 on cached embeddings)')
    await page.getByTestId('backbone-nsfwjs').check()
    await field('inputSize', '32')
    await field('head.fc1Units', '32')
    await field('head.fc2Units', '16')
    await field('batchSize', '8')
    await field('stage1.epochs', '4')
    await page.getByTestId('cv-panel').locator('summary').click()
    await page.getByTestId('cv-folds').fill('3')
    await page.getByTestId('cv-group').selectOption('none')
    await page.getByTestId('cv-start').click()
    await page.getByTestId('cv-study').waitFor()
    const started = Date.now()
    await expect
      .poll(
        async () => {
          const t = (await page.getByTestId('cv-study').textContent()) ?? ''
          if (Date.now() - started > 150_000) await shot('01-training-cv-timeout')
          return t
        },
        { timeout: 160_000, interval: 1000 }
      )
      .toMatch(/completed/)
    expect(await page.getByTestId('cv-study').textContent()).toMatch(/38 of 38 images predicted out of fold/)
    await page.getByTestId('cv-panel').scrollIntoViewIfNeeded()
    await shot('01-training-cv')

    await page.click('nav button[data-view="runs"]')
    await page.getByTestId('study-row').waitFor()
    expect(await page.getByTestId('study-accuracy').textContent()).toMatch(
      /^\d\.\d{3} ± \d\.\d{3} \[-?\d\.\d{3}–\d\.\d{3}\]$/
    )
    await page.getByTestId('study-row').click()
    await expect.poll(() => page.getByTestId('study-fold').count()).toBe(3)
    expect(await page.getByTestId('study-pooled').textContent()).toMatch(
      /percentile bootstrap, 1000 resamples of 38 images/
    )
    const studies = catalog<{ id: number; status: string }>('SELECT id, status FROM cv_studies')
    expect(studies).toEqual([{ id: 1, status: 'completed' }])
    expect(
      catalog<{ n: number }>('SELECT COUNT(*) AS n FROM cv_study_items WHERE oof_probs_json IS NOT NULL')[0].n
    ).toBe(38)
    await shot('02-runs-study')
  }, 180_000)

  it('shows intervals in the evaluation panel and the runs table', async () => {
    await page.getByTestId('study-fold').first().click()
    await page.getByTestId('run-detail').waitFor()
    await page.getByTestId('tab-evaluation').click()
    expect(await page.getByTestId('eval-accuracy-ci').textContent()).toMatch(/95 % CI \d+\.\d %–\d+\.\d %/)
    expect(await page.getByTestId('eval-ci-method').textContent()).toMatch(/percentile bootstrap, 1000 resamples/)
    expect(await page.getByTestId('run-eval-acc').first().textContent()).toMatch(/\d\.\d\d \[\d\.\d\d–\d\.\d\d\]/)
    await page.getByTestId('eval-intervals').scrollIntoViewIfNeeded()
    await shot('03-evaluation-intervals')
  })

  it('evaluates the run on an external folder beside the internal evaluation', async () => {
    await page.getByTestId('tab-external').click()
    await page.getByTestId('external-folder').fill(path.join(tmp, 'site-b'))
    await page.getByTestId('external-name').fill('site B')
    await page.getByTestId('external-run').click()
    await page.getByTestId('external-row').waitFor({ timeout: 90_000 })
    expect(await page.getByTestId('external-row').textContent()).toMatch(/site B.*12/)
    // The new evaluation opens by itself.
    expect(await page.getByTestId('external-evaluations').textContent()).toContain(
      'unknown_tumour name no class of the model'
    )
    expect(await page.getByTestId('external-evaluations').getByTestId('eval-split').textContent()).toBe(
      'the external folder "site B"'
    )
    await shot('04-external')

    // The same folder with test-time augmentation: stored as its own evaluation, marked TTA in the table and title.
    await page.getByTestId('external-name').fill('site B, TTA')
    await page.getByTestId('external-tta').check()
    await page.getByTestId('external-run').click()
    await expect.poll(() => page.getByTestId('external-row').count(), { timeout: 90_000 }).toBe(2)
    const rows = page.getByTestId('external-row')
    expect(await rows.nth(0).getByTestId('external-tta-tag').count()).toBe(0)
    expect(await rows.nth(1).getByTestId('external-tta-tag').textContent()).toBe('TTA')
    expect(await rows.nth(1).textContent()).toMatch(/site B, TTA.*12/)
    await expect
      .poll(async () => ((await page.getByTestId('external-title').textContent()) ?? '').replace(/\s+/g, ' '))
      .toMatch(/"site B, TTA".*with test-time augmentation \(left–right mirror, 5 % shifts\)/)
    expect(catalog<{ tta: number }>('SELECT tta FROM external_evaluations ORDER BY id').map((r) => r.tta)).toEqual([
      0, 1
    ])
    await page.getByTestId('external-title').scrollIntoViewIfNeeded()
    await shot('04b-external-tta')
  }, 180_000)

  it('reviews doubted labels: keep, relabel to the suggestion, undo', async () => {
    await page.click('nav button[data-view="datasets"]')
    await page.locator('[data-tab="review"]').click()
    await page.getByTestId('review-image').waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('typical-given').locator('img').count()).toBeGreaterThan(0)
    expect(await page.getByTestId('typical-suggested').locator('img').count()).toBeGreaterThan(0)
    // The misfiled discs are the most doubtful: they lead the queue with glioma suggested.
    expect(await page.getByTestId('review-given').textContent()).toBe('meningioma')
    expect(await page.getByTestId('review-suggested').textContent()).toBe('glioma')
    await page.waitForLoadState('networkidle')
    await shot('05-review')

    const src = await page.getByTestId('review-image').getAttribute('src')
    const itemId = Number(src!.split('/').at(-1))
    const file = path.basename(catalog<{ path: string }>('SELECT path FROM dataset_items WHERE id = ?', itemId)[0].path)
    expect(file).toMatch(/^misfiled/)
    expect(labelOf(file)).toBe('meningioma')
    await page.keyboard.press('r')
    await expect.poll(() => labelOf(file)).toBe('glioma')
    await expect.poll(() => page.getByTestId('review-notice').textContent()).toContain('Relabelled to glioma')
    await shot('06-review-relabelled')
    // Undo goes through the curation log and brings the image back into the queue.
    await page.keyboard.press('Control+z')
    await expect.poll(() => labelOf(file)).toBe('meningioma')
    await expect.poll(() => page.getByTestId('review-image').getAttribute('src')).toBe(src)
    const ops = catalog<{ n: number }>('SELECT COUNT(*) AS n FROM dataset_curation_ops')[0].n
    await page.keyboard.press('k')
    await expect.poll(() => page.getByTestId('review-notice').textContent()).toContain('Kept as meningioma')
    // Keep records nothing in the catalog.
    expect(catalog<{ n: number }>('SELECT COUNT(*) AS n FROM dataset_curation_ops')[0].n).toBe(ops)
    expect(labelOf(file)).toBe('meningioma')
    expect(errors).toEqual([])
  })
})
