import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { e2eScratch } from '../helpers/e2e-scratch'
import { launchChromium } from '../helpers/chromium'
import { startServe, type ServedApp } from '../helpers/serve'
import { writeSeparableDataset } from '../unit/run/fixtures'
import { cli } from '../unit/training-ui/fixtures'
import { trainStage1WithCli } from '../helpers/cli-stage1-run'

describe('embedding map in browser mode: compute, hover, box selection into the grid', () => {
  const scratch = e2eScratch('np-map-ui-', 'embedding-map')
  const { tmp, workspace } = scratch
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  const shot = (name: string) => scratch.shot(page, name)

  beforeAll(async () => {
    const data = path.join(tmp, 'data')
    // Two separable classes (a bright disc on the left vs on the right), 20 images each.
    await writeSeparableDataset(data, 20, 64)
    cli(['import', data, '--dataset', 'discs'], workspace)
    app = await startServe({ workspace })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${app.url}#datasets`)
    await page.getByTestId('datasets').waitFor()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    scratch.remove()
  })

  it('computes the map, shows a thumbnail on hover, and a box selection becomes the grid selection', async () => {
    await page.locator('[data-tab="map"]').click()
    await page.getByTestId('map-compute').click()
    const caption = page.getByTestId('map-caption')
    await caption.waitFor({ timeout: 180_000 })
    await expect.poll(() => page.getByTestId('map-compute').isVisible(), { timeout: 180_000 }).toBe(true)
    expect(await caption.textContent()).toMatch(/40 included items of the current curation · PCA: [\d.]+ % \+/)
    await expect.poll(() => page.getByTestId('map-layout').locator('option[value="umap"]').isDisabled()).toBe(false)
    expect(await page.getByTestId('map-legend').textContent()).toMatch(/c0.*c1|c1.*c0/)
    expect(await page.getByTestId('map-selected').textContent()).toBe('0 selected in the grid')
    await shot('map-pca')

    // Hover the first drawn pixel: the item's thumbnail appears (the grid's media URL, loaded by the browser).
    const canvas = page.getByTestId('map-canvas')
    const hit = await canvas.evaluate((el) => {
      // The DOM types are not in the test project's lib; the canvas is read through its structural shape.
      const c = el as unknown as {
        width: number
        height: number
        getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }
      }
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
      for (let i = 3; i < d.length; i += 4)
        if (d[i] > 0) return { x: (i >> 2) % c.width, y: Math.floor((i >> 2) / c.width) }
      return null
    })
    expect(hit).not.toBeNull()
    const bb = (await canvas.boundingBox())!
    await page.mouse.move(bb.x + hit!.x + 1, bb.y + hit!.y + 1)
    const thumb = page.getByTestId('map-hover').locator('img')
    await thumb.waitFor()
    await expect
      .poll(() =>
        thumb.evaluate((el) => {
          const img = el as unknown as { complete: boolean; naturalWidth: number }
          return img.complete && img.naturalWidth > 0
        })
      )
      .toBe(true)
    await shot('map-hover')

    // The classes separate along the first component: the left third of the plot holds one cluster.
    await page.mouse.move(bb.x + 2, bb.y + 2)
    await page.mouse.down()
    await page.mouse.move(bb.x + bb.width / 3, bb.y + bb.height / 2, { steps: 5 })
    await page.mouse.move(bb.x + bb.width / 3, bb.y + bb.height - 2, { steps: 5 })
    await page.mouse.up()
    const selected = Number(((await page.getByTestId('map-selected').textContent()) ?? '').split(' ')[0])
    expect(selected).toBeGreaterThan(5)
    expect(selected).toBeLessThanOrEqual(20)
    await shot('map-box-selected')

    // UMAP layout and colouring by split redraw the same items.
    await page.getByTestId('map-layout').selectOption('umap')
    await page.getByTestId('map-colour').selectOption('split')
    expect(await caption.textContent()).toMatch(/UMAP \(umap-js, 15 neighbours\)/)
    expect(await page.getByTestId('map-legend').textContent()).toMatch(/not split/)
    await shot('map-umap-split')

    // The grid shows the same selection.
    await page.locator('[data-tab="items"]').click()
    await expect.poll(() => page.getByTestId('selected-count').textContent()).toBe(String(selected))
    await shot('grid-after-map-selection')

    // Back on the Map tab the cached map shows at once (no engine run): the same caption, "Recompute".
    await page.locator('[data-tab="map"]').click()
    await caption.waitFor()
    expect(await page.getByTestId('map-compute').textContent()).toBe('Recompute')
    expect(await caption.textContent()).toMatch(/40 included items/)
    expect(errors).toEqual([])
  }, 300_000)

  it('colours the map by a run’s held-out predictions and their correctness, naming the run and split', async () => {
    cli(
      ['split', '--dataset', 'discs', '--val', '0.25', '--test', '0.25', '--group-by', 'none', '--seed', '3'],
      workspace
    )
    const run = trainStage1WithCli('discs', 'discs head', workspace, tmp)
    // A visit to the Map tab lists the dataset's completed runs and studies.
    await page.locator('[data-tab="items"]').click()
    await page.locator('[data-tab="map"]').click()
    await page.getByTestId('map-caption').waitFor()
    await page.getByTestId('map-colour').selectOption('prediction')
    const source = page.getByTestId('map-pred-source')
    await expect.poll(() => source.inputValue()).toBe(`run:${run.runId}`)
    const caption = page.getByTestId('map-pred-caption')
    const captionText = async () => ((await caption.textContent()) ?? '').replace(/\s+/g, ' ')
    await expect
      .poll(captionText)
      .toMatch(
        new RegExp(
          `predicted class from run ${run.runId} "discs head": its test split, held out from training \\(10 items\\)`
        )
      )
    const legend = page.getByTestId('map-legend')
    expect(await legend.textContent()).toMatch(/not predicted/)
    expect(await legend.textContent()).toMatch(/c0|c1/)
    await shot('map-prediction')

    await page.getByTestId('map-colour').selectOption('correctness')
    await expect.poll(captionText).toMatch(/prediction against the label from run \d+/)
    // 10 test items: correct (green) for what the run got right, grey for the 30 it did not predict.
    const words = (await legend.textContent()) ?? ''
    expect(words).toMatch(/correct/)
    expect(words).toMatch(/not predicted/)
    if (run.metrics.evaluation!.accuracy < 1) expect(words).toMatch(/wrong/)
    else expect(words).not.toMatch(/wrong/)
    await shot('map-correctness')
    expect(errors).toEqual([])
  }, 240_000)
})
