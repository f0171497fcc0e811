import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readCatalog } from '../helpers/e2e-scratch'
import { mulberry32 } from '../../src/main/training/loop/random'
import { openAppPage } from '../helpers/app-page'
import { tinyEncoder, writeColourNoisePng } from '../helpers/onnx-encoders'
import type { ServedApp } from '../helpers/serve'
import { importAndSplit } from '../unit/training-ui/fixtures'

const SHOTS = path.resolve(__dirname, '../../test-results/encoder-training')

/**
 * The Training view's "ONNX encoder (file)" backbone (#17): import an encoder generated here, Check it (the
 * declaration is filled in from the graph, the report shows shapes, width, speed, SHA-256), see stage 2
 * turned off with the reason, and train a tiny run on it to completion.
 */
describe('training on your own ONNX encoder in browser mode', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'np-encoder-ui-'))
  const workspace = path.join(tmp, 'ws')
  const encoder = path.join(tmp, 'tiny-cnn.onnx')
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })

  const catalog = <T>(sql: string, ...args: unknown[]): T[] => readCatalog<T>(workspace, sql, ...args)

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true })
    const rng = mulberry32(9)
    for (const [cls, name] of ['red', 'blue'].entries()) {
      fs.mkdirSync(path.join(tmp, 'data', name), { recursive: true })
      for (let i = 0; i < 16; i++)
        await writeColourNoisePng(path.join(tmp, 'data', name, `img${i}.png`), cls as 0 | 1, rng)
    }
    importAndSplit(path.join(tmp, 'data'), 'colours', workspace)
    fs.writeFileSync(encoder, tinyEncoder({ layout: 'NCHW', output: 'spatial', size: 32, seed: 3 }))
    ;({ app, browser, page } = await openAppPage({
      view: 'training',
      viewport: { width: 1440, height: 1100 },
      errors,
      workspace
    }))
    await page.getByTestId('config-form').waitFor()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
  })

  it('imports and checks an encoder, fills the declaration from the graph and turns stage 2 off', async () => {
    await page.getByTestId('preset-select').selectOption('Quick CPU (stage 1 on cached embeddings)')
    await page.getByTestId('backbone-onnx-encoder').check()
    await page.getByTestId('encoder-picker').waitFor()
    // Nothing chosen yet: the form says what is missing and cannot launch.
    await expect.poll(() => page.getByTestId('encoder-config-error').textContent()).toMatch(/SHA-256/)
    expect(await page.getByTestId('launch').isDisabled()).toBe(true)
    expect(await page.getByTestId('decl-layout').inputValue()).toBe('infer')

    await page.getByTestId('encoder-file').fill(encoder)
    await page.getByTestId('decl-normalisation').selectOption('imagenet')
    await page.getByTestId('encoder-check').click()
    const report = page.getByTestId('encoder-report')
    await expect.poll(() => report.textContent(), { timeout: 60_000 }).toMatch(/Imported/)
    const text = (await report.textContent()) ?? ''
    expect(text).toMatch(/tiny-cnn\.onnx/)
    expect(text).toMatch(/Input \[batch, 3, 32, 32\] → output “features” \[2, 16, 8, 8\]/)
    expect(text).toMatch(/pooled by global-average to 16 features/)
    expect(text).toMatch(/img\/s \(the two generated images, batch 2\) on onnxruntime/)
    expect(text).toMatch(/SHA-256 [0-9a-f]{64}/)
    expect(await page.getByTestId('encoder-degenerate').count()).toBe(0)
    // Filled in from the graph; chosen in the list; the config follows it.
    expect(await page.getByTestId('decl-layout').inputValue()).toBe('NCHW')
    expect(await page.getByTestId('decl-inputSize').inputValue()).toBe('32')
    expect(await page.getByTestId('decl-pooling').inputValue()).toBe('global-average')
    expect(await page.getByTestId('decl-output').inputValue()).toBe('features')
    expect(await page.locator('[data-testid^="encoder-"][type="radio"]').first().isChecked()).toBe(true)
    expect(await page.getByTestId('field-inputSize').inputValue()).toBe('32')
    expect(await page.getByTestId('field-stage2.enabled').isChecked()).toBe(false)
    expect(await page.getByTestId('encoder-stage2').textContent()).toMatch(/fine-tunes the top layers of MobileNetV2/)
    expect(await page.getByTestId('section-note-stage2').textContent()).toMatch(/Not available: stage 2/)
    expect(fs.readdirSync(path.join(workspace, 'models', 'backbones'))).toHaveLength(1)
    await shot('01-encoder-form')

    // Choosing it again from the list of imported encoders after switching away.
    await page.getByTestId('backbone-nsfwjs').check()
    await page.getByTestId('backbone-onnx-encoder').check()
    await expect.poll(() => page.getByTestId('encoder-config-error').count()).toBe(1)
    await page.locator('[data-testid^="encoder-"][type="radio"]').first().check()
    await expect.poll(() => page.getByTestId('encoder-config-error').count()).toBe(0)
    expect(await page.getByTestId('decl-layout').inputValue()).toBe('NCHW')

    // Turning stage 2 back on is refused inline, with the reason.
    await page.getByTestId('field-stage2.enabled').check()
    await expect
      .poll(() => page.getByTestId('field-stage2.enabled-error').textContent())
      .toMatch(/turn stage 2 off: stage 2 fine-tunes/)
    expect(await page.getByTestId('launch').isDisabled()).toBe(true)
    await shot('02-stage2-refused')
    await page.getByTestId('field-stage2.enabled').uncheck()
    expect(errors).toEqual([])
  })

  it('trains a tiny run on the encoder to completion', async () => {
    await page.getByTestId('field-stage1.epochs').fill('5')
    await page.getByTestId('run-name').fill('on my encoder')
    await page.getByTestId('launch').click()
    const status = () =>
      catalog<{ status: string }>("SELECT status FROM runs WHERE name = 'on my encoder'")[0]?.status ?? 'missing'
    await expect.poll(status, { timeout: 120_000, interval: 500 }).toBe('completed')
    const card = JSON.parse(
      fs.readFileSync(path.join(workspace, 'models', 'run-1', 'model', 'neuropath.json'), 'utf8')
    ) as { encoder: { fileName: string }; backbone: { kind: string } }
    expect(card.encoder.fileName).toBe('tiny-cnn.onnx')
    expect(card.backbone.kind).toBe('onnx-encoder')
    await page.waitForTimeout(500)
    await shot('03-after-run')
    expect(errors).toEqual([])
  }, 180_000)
})
