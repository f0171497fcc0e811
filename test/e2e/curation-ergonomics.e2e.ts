import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { headSlice, writeGrey } from '../fixtures/datasets/anatomy'
import { tempDir } from '../fixtures/datasets/images'
import { openAppPage } from '../helpers/app-page'
import type { ServedApp } from '../helpers/serve'

/*
 * Issue #15's curation items in the browser: leakage findings as scored pairs with their distances (slices of
 * one anatomy are not called duplicates), a confirmation with undo before a bulk action, the grouping inferred
 * from file names when PNGs have no PatientID (with a live preview, and a patient split refused until
 * confirmed), and the training form's version and augmentation defaults.
 */
const SHOTS = path.resolve(__dirname, '../../test-results/curation-ergonomics')
const S = 128
const PATIENTS = 4
const SLICES = 3

const text = async (page: Page, id: string) => (await page.getByTestId(id).first().textContent())?.trim() ?? ''

describe('curation ergonomics in browser mode', () => {
  const tmp = tempDir('e2e-curation')
  const data = path.join(tmp.dir, 'brain-mri')
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) })
  const total = 2 * PATIENTS * SLICES + 1 + 5

  beforeAll(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true })
    fs.mkdirSync(SHOTS, { recursive: true })
    // Two classes of one synthetic anatomy: lesions (glioma) in different places per patient and slice, none
    // in the normals but a differently placed ventricle noise seed. Their dHashes are nearly all alike.
    for (let p = 0; p < PATIENTS; p++)
      for (let s = 0; s < SLICES; s++) {
        const g = headSlice(S, [0.3 + 0.1 * p, 0.3 + 0.12 * s], p * 10 + s)
        await writeGrey(path.join(data, 'glioma', `PGL00${p}_slice${s}.png`), g, S)
        const n = headSlice(S, [0.62 - 0.08 * s, 0.35 + 0.1 * p], 100 + p * 10 + s)
        await writeGrey(path.join(data, 'normal', `PNL00${p}_slice${s}.png`), n, S)
      }
    // A re-encoded copy of one glioma slice filed as normal: the only near-duplicate.
    await writeGrey(path.join(data, 'normal', 'copy_PGL001.jpg'), headSlice(S, [0.4, 0.3], 10), S, { jpeg: 80 })
    // Five byte-identical copies across both classes: one exact finding with more than a handful of items.
    const dup = await writeGrey(path.join(data, 'glioma', 'DUP_slice0.png'), headSlice(S, [0.5, 0.5], 999), S)
    for (const [cls, k] of [
      ['glioma', 1],
      ['normal', 2],
      ['normal', 3],
      ['normal', 4]
    ] as const)
      fs.copyFileSync(dup, path.join(data, cls, `DUP_slice${k}.png`))
    ;({ app, browser, page } = await openAppPage({
      viewport: { width: 1360, height: 900 },
      errors,
      workspace: path.join(tmp.dir, 'ws'),
      prepare: (p) => p.setDefaultTimeout(15_000)
    }))
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    tmp.cleanup()
  })

  it('imports the PNG dataset', async () => {
    await page.getByTestId('import-root').fill(data)
    await page.getByTestId('import-start').click()
    await page.getByTestId('import-report').waitFor({ timeout: 60_000 })
    expect(await text(page, 'report-imported')).toBe(String(total))
    await page.getByTestId('import-show-items').click()
    await page.getByTestId('item-grid').waitFor()
  })

  it('proposes a grouping from the file names and refuses an empty patient split until confirmed', async () => {
    await page.click('[data-tab="split"]')
    expect(await page.getByTestId('split-group').inputValue()).toBe('patient')
    await expect.poll(() => text(page, 'split-preview')).toContain(`${total} item(s) without a key`)
    const suggestion = page.getByTestId('split-suggestion')
    await suggestion.waitFor()
    expect(await suggestion.textContent()).toContain(`${total} of ${total} items have no PatientID`)
    expect(await suggestion.textContent()).toContain('PGL000 (3)')
    expect(await page.getByTestId('split-run').isDisabled()).toBe(true)
    await shot('01-split-suggestion')
    // Confirming makes the patient split possible; unconfirming blocks it again.
    await page.getByTestId('split-confirm-ungrouped').check()
    expect(await page.getByTestId('split-run').isDisabled()).toBe(false)
    await page.getByTestId('split-confirm-ungrouped').uncheck()
    expect(await page.getByTestId('split-run').isDisabled()).toBe(true)

    await page.getByTestId('split-use-suggestion').click()
    expect(await page.getByTestId('split-group').inputValue()).toBe('regex')
    await expect.poll(() => text(page, 'split-preview')).toContain('every item has a key')
    const keys = await page.getByTestId('split-preview-keys').textContent()
    expect(keys).toContain('DUP · 5')
    expect(keys).toContain('PGL000 · 3')
    await shot('02-split-inferred-grouping')

    // The regex preview follows typing.
    await page.getByTestId('split-pattern').fill('^([a-z]+)/')
    await expect.poll(() => page.getByTestId('split-preview-keys').textContent()).toMatch(/normal · 16\s*glioma · 14/)
    await shot('03-split-regex-live-preview')
    await page.getByTestId('split-group').selectOption('patient')
    await page.getByTestId('split-use-suggestion').click()
    await page.getByTestId('split-run').click()
    await page.getByTestId('split-report').waitFor()
    expect(await text(page, 'split-report')).toContain('regex')
  })

  it('lists near-duplicates as pairs with their distances, and only real copies', async () => {
    await page.click('[data-tab="leakage"]')
    await page.getByTestId('leak-find').click()
    await page.getByTestId('leak-summary').waitFor()
    const measure = await text(page, 'leak-measure')
    expect(measure).toMatch(/pixel distance is at most 0\.08 SD/)
    const [, candidates, rejected] = /(\d+) candidate pair\(s\) compared,\s*(\d+) rejected/.exec(measure)!.map(Number)
    // The anatomy's look-alike slices were candidates by dHash and were rejected pixel by pixel.
    expect(candidates).toBeGreaterThan(10)
    expect(rejected).toBe(candidates - 1)
    const near = page.locator('[data-testid="leak-finding"][data-finding^="near:"]')
    expect(await near.count()).toBe(1)
    const pair = (await near.textContent()) ?? ''
    expect(pair).toContain('PGL001_slice0.png')
    expect(pair).toContain('copy_PGL001.jpg')
    expect(await near.getByTestId('leak-distance').textContent()).toMatch(
      /^near pair · dHash \d bits · pixel 0\.0\d\d SD$/
    )
    await shot('04-leakage-pairs')
  })

  it('asks before a bulk action, showing what changes, and undoes it', async () => {
    const exact = page.locator('[data-testid="leak-finding"][data-finding^="exact:"]')
    expect(await exact.count()).toBe(1)
    expect(await exact.getByTestId('leak-distance').textContent()).toBe('exact duplicate · 5 files')
    await exact.getByTestId('leak-exclude').click()
    const confirm = page.getByTestId('leak-confirm')
    await confirm.waitFor()
    expect(await confirm.textContent()).toContain('Exclude 4 item(s)')
    expect(await confirm.locator('li').count()).toBe(5)
    await shot('05-leakage-confirm')
    await page.getByTestId('leak-confirm-cancel').click()
    await confirm.waitFor({ state: 'detached' })
    expect(await exact.getByTestId('leak-resolved').count()).toBe(0)
    await expect.poll(() => text(page, 'dataset-summary')).not.toContain('excluded')

    await exact.getByTestId('leak-exclude').click()
    await page.getByTestId('leak-confirm-apply').click()
    await expect.poll(() => exact.getByTestId('leak-resolved').textContent()).toContain('4 item(s) changed')
    await expect.poll(() => text(page, 'dataset-summary')).toContain('4 excluded')
    await shot('06-leakage-resolved')
    await exact.getByTestId('leak-undo').click()
    await expect.poll(() => exact.getByTestId('leak-resolved').count()).toBe(0)
    await expect.poll(() => text(page, 'dataset-summary')).not.toContain('excluded')
  })

  it('starts training on the newest frozen version and says when augmentation does nothing', async () => {
    await page.click('[data-tab="export"]')
    await page.getByLabel('Version note').fill('first')
    await page.getByTestId('version-create').click()
    await page.getByLabel('Version note').fill('second')
    await page.getByTestId('version-create').click()
    await expect.poll(() => page.getByTestId('versions').textContent()).toContain('second')
    await page.click('nav button[data-view="training"]')
    const select = page.getByTestId('version-select')
    await expect.poll(() => select.locator('option:checked').textContent()).toContain('v2')
    expect(await select.locator('option[value="current"]').textContent()).toContain(
      'labels, splits and exclusions as they are now, frozen as a new version at launch'
    )
    await shot('07-training-version-default')
    await page.getByTestId('preset-select').selectOption('Quick CPU (stage 1 on cached embeddings)')
    expect(await page.getByTestId('field-augmentation.enabled').isChecked()).toBe(false)
    expect(await page.getByTestId('section-note-augmentation').count()).toBe(0)
    await page.getByTestId('section-augmentation').locator('summary').click()
    await page.getByTestId('field-augmentation.enabled').check()
    await expect.poll(() => text(page, 'section-note-augmentation')).toContain('Augmentation is off in effect')
    await page.getByTestId('section-augmentation').scrollIntoViewIfNeeded()
    await shot('08-training-augmentation-note')
    await page.getByTestId('field-stage1.augmentVariants').fill('2')
    await expect.poll(() => page.getByTestId('section-note-augmentation').count()).toBe(0)

    expect(errors).toEqual([])
  })
})
