import fs from 'node:fs'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/chromium'
import { QUICK_RUN_CONFIG } from '../helpers/import-dataset'
import { workspaceWithRun } from '../helpers/workspace-with-run'
import { startServe, type ServedApp } from '../helpers/serve'

const SHOTS = path.resolve(__dirname, '../../test-results/model-export')

describe('model export and compute backend in the browser', () => {
  let app: ServedApp
  let browser: Browser
  let runId = 0

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true })
    const ws = await workspaceWithRun('exportable', QUICK_RUN_CONFIG)
    runId = ws.runId
    app = await startServe({ workspace: ws.workspace })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('shows the engine’s ladder in the status bar and exports a run’s model as ONNX from the Runs view', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(app.url)
    const backend = page.getByTestId('status-backend')
    await expect.poll(() => backend.textContent(), { timeout: 30_000 }).toMatch(/Compute:\s*ort\s*\+ wasm/)
    const title = (await backend.getAttribute('title')) ?? ''
    expect(title).toContain('ort: in use (backbone forward passes)')
    expect(title).toMatch(/node-gpu: not installed/)
    expect(title).toContain('Measured in an engine process')
    await page.getByTestId('status-bar').screenshot({ path: path.join(SHOTS, 'status-bar.png') })

    await page.click('nav button[data-view="runs"]')
    await page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`).click()
    await page.getByTestId('run-detail').waitFor()
    await page.getByTestId('export-model-onnx').click()
    const where = page.getByTestId('exported-model-path')
    await where.waitFor({ timeout: 60_000 })
    const file = (await where.textContent())!.trim()
    expect(file).toBe(path.join(app.workspace, 'exports', `run-${runId}-model.onnx`))
    expect(fs.statSync(file).size).toBeGreaterThan(1000)
    expect(await page.getByTestId('detail-message').textContent()).toBe('ONNX model exported')
    await page.screenshot({ path: path.join(SHOTS, 'runs-export-onnx.png') })

    // A second export to the same place is refused, named, and nothing is overwritten.
    const before = fs.statSync(file).mtimeMs
    await page.getByTestId('export-model-onnx').click()
    await expect.poll(() => page.getByTestId('detail-message').textContent()).toMatch(/already exists/)
    expect(fs.statSync(file).mtimeMs).toBe(before)
    await page.getByTestId('export-model-tfjs').click()
    await expect.poll(() => page.getByTestId('exported-model-path').textContent()).toContain('-model-tfjs')
    expect(errors).toEqual([])
  })
})
