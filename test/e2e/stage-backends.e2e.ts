import fs from 'node:fs'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/chromium'
import { TWO_STAGE_RUN_CONFIG } from '../helpers/import-dataset'
import { startServe, type ServedApp } from '../helpers/serve'
import { workspaceWithRun } from '../helpers/workspace-with-run'

const SHOTS = path.resolve(__dirname, '../../test-results/stage-backends')

describe('the engine of each stage in the Runs view', () => {
  let app: ServedApp
  let browser: Browser
  let runId = 0

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true })
    const ws = await workspaceWithRun('two stages', TWO_STAGE_RUN_CONFIG, 180_000)
    runId = ws.runId
    app = await startServe({ workspace: ws.workspace })
    browser = await launchChromium()
  }, 240_000)
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('names ONNX Runtime for both stages in the table and the run page, and where the weights come from', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(app.url)
    await page.click('nav button[data-view="runs"]')
    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`)
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('ort · ort')
    await page.screenshot({ path: path.join(SHOTS, 'runs-table.png') })
    await row.click()
    await page.getByTestId('run-detail').waitFor()
    expect(await page.getByTestId('detail-backend').textContent()).toContain(
      'stage 1 ONNX Runtime · stage 2 ONNX Runtime'
    )
    expect(await page.getByTestId('run-detail').textContent()).toContain('stage 2, last epoch')
    await page.screenshot({ path: path.join(SHOTS, 'run-detail.png') })
    expect(errors).toEqual([])
  }, 120_000)
})
