import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readCatalog } from '../helpers/e2e-scratch'
import { SEED_RECIPE } from '../../src/shared/contract/training-config'
import { configFields, type FormField } from '../../src/renderer/src/training/schema-fields'
import { launchChromium } from '../helpers/chromium'
import { startServe, type ServedApp } from '../helpers/serve'
import { CLASSES, importAndSplit, writeTrainingDataset } from '../unit/training-ui/fixtures'
import { isProcessAlive } from '../../src/main/engine/job-state'

const SHOTS = path.resolve(__dirname, '../../test-results/training')

/** The page's chart registry (window.__charts), described without the DOM library the test project lacks. */
type PageCharts = {
  __charts?: Record<
    string,
    { data: { datasets: { label: string; data: { x: number; y: number }[] }[] } } & Record<string, unknown>
  >
}

interface EpochRow {
  stage: number
  epoch: number
  loss: number
  accuracy: number
  val_loss: number | null
  val_accuracy: number | null
  lr: number
}

/** Every dataset of a chart: label → points. */
async function chartData(page: Page, id: string): Promise<Record<string, { x: number; y: number }[]>> {
  return page.evaluate((chartId) => {
    const c = (globalThis as unknown as PageCharts).__charts?.[chartId]
    if (!c) return {}
    return Object.fromEntries(c.data.datasets.map((d) => [d.label, d.data.map((p) => ({ x: p.x, y: p.y }))]))
  }, id)
}

const leaves = (fields: FormField[]): string[] =>
  fields.flatMap((f) => (f.kind === 'group' ? leaves(f.children) : [f.path.join('.')]))

describe('training UI in browser mode', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'np-train-ui-'))
  const workspace = path.join(tmp, 'ws')
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []

  /** The catalog as the app wrote it (read-only; the app keeps writing in WAL mode). */
  const catalog = <T>(sql: string, ...args: unknown[]): T[] => readCatalog<T>(workspace, sql, ...args)
  const runId = (name: string) => catalog<{ id: number }>('SELECT id FROM runs WHERE name = ?', name)[0]?.id
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) })

  async function field(pathKey: string, value: string): Promise<void> {
    const el = page.getByTestId(`field-${pathKey}`)
    if (!(await el.isVisible())) {
      await page
        .getByTestId(`section-${pathKey.split('.')[0]}`)
        .locator('summary')
        .click()
    }
    await el.fill(value)
  }
  async function check(pathKey: string, on: boolean): Promise<void> {
    const el = page.getByTestId(`field-${pathKey}`)
    if (!(await el.isVisible()))
      await page
        .getByTestId(`section-${pathKey.split('.')[0]}`)
        .locator('summary')
        .click()
    await el.setChecked(on)
  }
  /**
   * The quick test config in the form: a 32 px backbone (nsfwjs unless said: random weights learn nothing
   * here), a tiny head, stage 1 on embeddings only.
   */
  async function quickConfig(
    epochs: number,
    opts: { earlyStopping: boolean; lr?: string; backbone?: 'nsfwjs' | 'random' }
  ): Promise<void> {
    await page.getByTestId('preset-select').selectOption('Quick CPU (stage 1 on cached embeddings)')
    await page.getByTestId(`backbone-${opts.backbone ?? 'nsfwjs'}`).check()
    await field('inputSize', '32')
    await field('head.fc1Units', '32')
    await field('head.fc2Units', '16')
    await field('batchSize', '8')
    await field('stage1.epochs', String(epochs))
    if (opts.lr) await field('stage1.learningRate', opts.lr)
    await check('augmentation.enabled', false)
    await check('earlyStopping.enabled', opts.earlyStopping)
  }
  async function launch(name: string): Promise<number> {
    await page.getByTestId('run-name').fill(name)
    await page.getByTestId('launch').click()
    // A launch without a fresh estimate estimates first (it asks before runs over an hour): allow for calibration.
    await expect.poll(() => runId(name), { timeout: 120_000 }).toBeGreaterThan(0)
    await page.locator(`[data-testid="live-run"][data-run-id="${runId(name)}"]`).waitFor()
    return runId(name)
  }
  async function runStatus(id: number): Promise<string> {
    return catalog<{ status: string }>('SELECT status FROM runs WHERE id = ?', id)[0]?.status ?? 'missing'
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true })
    await writeTrainingDataset(path.join(tmp, 'data'))
    importAndSplit(path.join(tmp, 'data'), 'brain-mri', workspace)
    app = await startServe({ workspace })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true })
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${app.url}#training`)
    await page.getByTestId('config-form').waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
  })

  it('builds the form from the config schema, validates inline and saves presets', async () => {
    // Every leaf of the engine's schema has an input (the backbone's in the picker), showing the seed default.
    const expected = leaves(configFields())
    for (const key of expected) {
      // The backbone picker draws these (the path and the ONNX encoder's fields only for their kinds).
      if (key.startsWith('backbone.')) continue
      await expect(page.getByTestId(`field-${key}`).count(), key).resolves.toBe(1)
    }
    expect(await page.getByTestId('field-stage2.learningRate').inputValue()).toBe(
      String(SEED_RECIPE.stage2.learningRate)
    )
    expect(await page.getByTestId('field-head.fc1Units').inputValue()).toBe('512')
    expect(await page.getByTestId('field-stage2.enabled').isChecked()).toBe(true)
    expect(await page.getByTestId('class-balance').textContent()).toContain(CLASSES[2])
    await shot('01-form')

    await field('inputSize', '8')
    await expect.poll(() => page.getByTestId('field-inputSize-error').textContent()).toContain('must be ≥ 32')
    expect(await page.getByTestId('launch').isDisabled()).toBe(true)
    await field('stage2.learningRate', 'fast')
    await expect
      .poll(() => page.getByTestId('field-stage2.learningRate-error').textContent())
      .toContain('must be a number')
    await shot('02-validation')
    await field('inputSize', '224')
    await field('stage2.learningRate', '0.0001')
    await expect.poll(() => page.getByTestId('field-inputSize-error').count()).toBe(0)

    await page.getByTestId('preset-select').selectOption('Quick CPU (stage 1 on cached embeddings)')
    expect(await page.getByTestId('field-stage2.enabled').isChecked()).toBe(false)
    expect(await page.getByTestId('field-stage1.mode').inputValue()).toBe('embeddings')

    // A Keras file that is not there is refused by the engine with the file named.
    await page.getByTestId('backbone-keras-h5').check()
    await page.getByTestId('field-backbone.path').fill(path.join(tmp, 'missing.h5'))
    await page.getByTestId('backbone-check').click()
    await expect
      .poll(() => page.getByTestId('backbone-error').textContent(), { timeout: 30_000 })
      .toContain('missing.h5')
    await page.getByTestId('backbone-nsfwjs').check()
    await page.getByTestId('backbone-check').click()
    await expect.poll(() => page.getByTestId('backbone-ok').textContent(), { timeout: 60_000 }).toContain('nsfwjs')
    await shot('03-backbone')

    await quickConfig(5, { earlyStopping: true, backbone: 'random' })
    await page.getByTestId('preset-name').fill('tiny test')
    await page.getByTestId('preset-save').click()
    await expect
      .poll(
        () =>
          catalog<{ value_json: string }>(`SELECT value_json FROM settings WHERE key = 'training.presets'`)[0]
            ?.value_json ?? ''
      )
      .toContain('tiny test')
    await page.reload()
    await page.getByTestId('config-form').waitFor()
    await page.getByTestId('preset-select').selectOption('tiny test')
    expect(await page.getByTestId('field-inputSize').inputValue()).toBe('32')
    expect(await page.getByTestId('backbone-random').isChecked()).toBe(true)
  })

  it('estimates the time from a measured calibration, with stage 2 measured on the engine that will run it', async () => {
    await page.getByTestId('estimate-run').click()
    await expect.poll(() => page.getByTestId('estimate-total').count(), { timeout: 90_000 }).toBe(1)
    expect(await page.getByTestId('estimate-embeddings').count()).toBe(1)
    expect(await page.getByTestId('estimate-stage1').textContent()).toMatch(/samples\/s head training/)
    const cached = catalog<{ value_json: string }>(
      `SELECT value_json FROM settings WHERE key = 'training.calibration'`
    )[0]
    expect(Object.keys(JSON.parse(cached.value_json))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^embed\|/), expect.stringMatching(/^head\|/)])
    )

    await check('stage2.enabled', true)
    await field('stage2.epochs', '2')
    await page.getByTestId('estimate-run').click()
    await expect.poll(() => page.getByTestId('estimate-stage2').count(), { timeout: 120_000 }).toBe(1)
    const backend = (await page.getByTestId('status-backend').textContent()) ?? ''
    if (/Compute:\s*ort\b/.test(backend)) {
      // Stage 2 is measured and run on ONNX Runtime: no "slower backend" warning, and the basis names ort.
      expect(await page.getByTestId('estimate-stage2-warning').count()).toBe(0)
      expect(await page.getByTestId('estimate-stage2').textContent()).toMatch(/forward \+ backward on ort/)
    } else if (backend.includes('wasm')) {
      const warning = await page.getByTestId('estimate-stage2-warning').textContent()
      expect(warning).toMatch(/cpu backend/)
      expect(warning).toMatch(/20×/)
      expect(await page.getByTestId('estimate-stage2').textContent()).toContain('cpu')
    }
    await page.getByTestId('estimate').scrollIntoViewIfNeeded()
    await shot('04-estimate')
    await check('stage2.enabled', false)
  })

  it('shows a run live (curves growing in place, progress, log) and cancels it', async () => {
    await quickConfig(1000, { earlyStopping: false, lr: '0.00001' })
    const id = await launch('long run')
    await expect
      .poll(async () => (await chartData(page, 'curve-loss')).loss?.length ?? 0, { timeout: 60_000 })
      .toBeGreaterThan(2)
    // Mark the chart instance: if it were rebuilt per batch, the mark would vanish.
    await page.evaluate(() => void ((globalThis as unknown as PageCharts).__charts!['curve-loss'].__marked = true))
    const before = (await chartData(page, 'curve-loss')).loss.length
    await expect
      .poll(async () => (await chartData(page, 'curve-loss')).loss.length, { timeout: 30_000 })
      .toBeGreaterThan(before + 2)
    expect(await page.evaluate(() => (globalThis as unknown as PageCharts).__charts!['curve-loss'].__marked)).toBe(true)
    expect((await chartData(page, 'curve-batch')).smoothed.length).toBeGreaterThan(0)
    expect(await page.getByTestId('run-log').textContent()).toMatch(/engine process \d+ started/)
    expect(await page.getByTestId('run-progress').textContent()).toMatch(/img\/s/)
    await shot('05-live')

    // The run keeps going while the user is elsewhere; back in Training the curves hold everything so far.
    await page.click('nav button[data-view="runs"]')
    await page.getByTestId('runs-table').waitFor()
    const epochsThen = catalog<{ n: number }>('SELECT COUNT(*) AS n FROM run_epochs WHERE run_id = ?', id)[0].n
    await expect
      .poll(() => catalog<{ n: number }>('SELECT COUNT(*) AS n FROM run_epochs WHERE run_id = ?', id)[0].n)
      .toBeGreaterThan(epochsThen)
    await page.click('nav button[data-view="training"]')
    await expect.poll(async () => (await chartData(page, 'curve-loss')).loss?.length ?? 0).toBeGreaterThan(epochsThen)

    await page.getByTestId('cancel-run').click()
    await expect.poll(() => runStatus(id), { timeout: 30_000 }).toBe('stopped')
    await expect.poll(() => page.getByTestId('live-run').getByTestId('run-status').textContent()).toBe('stopped')
  })

  it('completes a run whose charts hold exactly the catalog’s per-epoch metrics', async () => {
    await quickConfig(8, { earlyStopping: true })
    const id = await launch('short run')
    await expect.poll(() => runStatus(id), { timeout: 90_000 }).toBe('completed')
    await expect.poll(() => page.getByTestId('live-run').getByTestId('run-status').textContent()).toBe('completed')
    const rows = catalog<EpochRow>('SELECT * FROM run_epochs WHERE run_id = ? ORDER BY stage, epoch', id)
    expect(rows.length).toBeGreaterThan(0)
    const xs = rows.map((_, i) => i + 1)
    const loss = await chartData(page, 'curve-loss')
    const acc = await chartData(page, 'curve-acc')
    const lr = await chartData(page, 'curve-lr')
    expect(loss.loss).toEqual(rows.map((r, i) => ({ x: xs[i], y: r.loss })))
    expect(loss.val_loss).toEqual(rows.map((r, i) => ({ x: xs[i], y: r.val_loss })))
    expect(acc.accuracy).toEqual(rows.map((r, i) => ({ x: xs[i], y: r.accuracy })))
    expect(acc.val_accuracy).toEqual(rows.map((r, i) => ({ x: xs[i], y: r.val_accuracy })))
    expect(lr['learning rate']).toEqual(rows.map((r, i) => ({ x: xs[i], y: r.lr })))
    await shot('06-completed')
  })

  it('lists, sorts, filters and compares runs with a config diff of only the differences', async () => {
    await page.click('nav button[data-view="runs"]')
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(2)
    await page.getByTestId('sort-name').locator('button').click()
    expect(await page.getByTestId('run-row').first().locator('td.name').textContent()).toContain('long run')
    await page.getByTestId('sort-name').locator('button').click()
    expect(await page.getByTestId('run-row').first().locator('td.name').textContent()).toContain('short run')
    await page.getByTestId('runs-filter').fill('short')
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(1)
    await page.getByTestId('runs-status').selectOption('stopped')
    await expect.poll(() => page.getByTestId('runs-empty').count()).toBe(1)
    await page.getByTestId('runs-filter').fill('')
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(1)
    await page.getByTestId('runs-status').selectOption('all')
    await shot('07-runs')

    for (const box of await page.getByTestId('run-check').all()) await box.check()
    await page.getByTestId('compare-runs').click()
    await page.getByTestId('config-diff').waitFor()
    const diffPaths = await page
      .getByTestId('diff-row')
      .evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { path: string } }).dataset.path))
    expect(diffPaths.sort()).toEqual(['earlyStopping.enabled', 'stage1.epochs', 'stage1.learningRate'])
    const overlaid = await chartData(page, 'compare-val-acc')
    expect(Object.keys(overlaid).sort()).toEqual(['long run', 'short run'])
    await shot('08-compare')
  })

  it('shows the evaluation and opens a misclassified image in the viewer', async () => {
    const id = runId('short run')
    await page.locator(`[data-testid="run-row"][data-run-id="${id}"]`).click()
    await page.getByTestId('tab-evaluation').click()
    await page.getByTestId('confusion-matrix').waitFor()
    const ev = JSON.parse(
      catalog<{ evaluation_json: string }>('SELECT evaluation_json FROM runs WHERE id = ?', id)[0].evaluation_json
    ) as {
      confusion: number[][]
      misclassified: { path: string }[]
    }
    expect(await page.getByTestId('cm-cell').count()).toBe(CLASSES.length ** 2)
    const cell = page.locator(`[data-testid="cm-cell"][data-true="${CLASSES[0]}"][data-pred="${CLASSES[0]}"]`)
    expect(await cell.textContent()).toContain(String(ev.confusion[0][0]))
    await page.getByTestId('cm-normalised').click()
    expect(await cell.locator('text').textContent()).toMatch(/^(\d\.\d\d|–)$/)
    expect(await page.getByTestId('per-class').locator('tbody tr').count()).toBe(CLASSES.length)
    await page.getByTestId('reliability').waitFor()
    expect((await chartData(page, 'eval-roc'))['chance']).toHaveLength(2)
    expect(ev.misclassified.length).toBeGreaterThan(0)
    await expect.poll(() => page.getByTestId('misclassified-item').count()).toBe(Math.min(48, ev.misclassified.length))
    await page.getByTestId('evaluation').scrollIntoViewIfNeeded()
    await shot('09-evaluation')
    await page.getByTestId('misclassified').scrollIntoViewIfNeeded()
    await shot('10-misclassified')

    const first = page.getByTestId('misclassified-item').first()
    const file = (await first.getAttribute('data-path'))!
    await first.click()
    await page.getByTestId('view-viewer').waitFor()
    await expect
      .poll(
        () =>
          page
            .getByTestId('viewer-canvas')
            .evaluate((el) => (el as unknown as { dataset: { path?: string } }).dataset.path),
        { timeout: 15_000 }
      )
      .toBe(fs.realpathSync(file))
    await shot('11-viewer-from-gallery')
  })

  it('exports a self-contained HTML report', async () => {
    await page.click('nav button[data-view="runs"]')
    const id = runId('short run')
    await page.locator(`[data-testid="run-row"][data-run-id="${id}"]`).click()
    // Browser mode cannot open a folder natively: it shows the model folder's path to copy.
    expect(await page.getByTestId('model-folder').inputValue()).toBe(
      path.join(workspace, 'models', `run-${id}`, 'model')
    )
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-report').click()])
    const saved = path.join(SHOTS, 'report.html')
    await download.saveAs(saved)
    const html = fs.readFileSync(saved, 'utf8')
    const onDisk = await page.getByTestId('report-path').textContent()
    expect(fs.readFileSync(onDisk!, 'utf8')).toBe(html)
    expect(path.dirname(onDisk!)).toBe(path.join(workspace, 'exports'))
    // Nothing to fetch: no scripts, links, external images or stylesheets.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(/i)
    const fingerprint = catalog<{ fingerprint: string }>(
      'SELECT v.fingerprint FROM runs r JOIN dataset_versions v ON v.id = r.version_id WHERE r.id = ?',
      id
    )[0].fingerprint
    for (const text of [
      'short run',
      'brain-mri',
      fingerprint,
      'Confusion matrix',
      'Reliability',
      'ROC',
      'nsfwjs 4.4.0 npm package',
      CLASSES[2]
    ]) {
      expect(html).toContain(text)
    }
    const report = await browser.newPage({ viewport: { width: 1100, height: 2400 } })
    await report.goto(`file://${saved}`)
    await report.screenshot({ path: path.join(SHOTS, '12-report.png'), fullPage: true })
    await report.close()
  })

  it('renames, annotates and deletes a run, removing its model folder', async () => {
    const id = runId('long run')
    await page.locator(`[data-testid="run-row"][data-run-id="${id}"]`).click()
    await page.getByTestId('rename').click()
    await page.getByTestId('rename-input').fill('cancelled run')
    await page.getByTestId('rename-save').click()
    await expect
      .poll(() => catalog<{ name: string }>('SELECT name FROM runs WHERE id = ?', id)[0].name)
      .toBe('cancelled run')
    await page.getByTestId('note-input').fill('learning rate too low to converge')
    await page.getByTestId('note-save').click()
    await expect
      .poll(() => catalog<{ note: string }>('SELECT note FROM runs WHERE id = ?', id)[0].note)
      .toBe('learning rate too low to converge')
    await page.getByTestId('delete-run').click()
    await page.getByTestId('delete-confirm').waitFor()
    await shot('13-delete-confirm')
    expect(fs.existsSync(path.join(workspace, 'models', `run-${id}`))).toBe(true)
    await page.getByTestId('delete-confirm-yes').click()
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(1)
    expect(catalog('SELECT id FROM runs WHERE id = ?', id)).toEqual([])
    expect(catalog('SELECT run_id FROM run_epochs WHERE run_id = ?', id)).toEqual([])
    expect(fs.existsSync(path.join(workspace, 'models', `run-${id}`))).toBe(false)
  })

  it('stops the engine with the app (no orphan left) and offers to resume the interrupted run', async () => {
    await page.click('nav button[data-view="training"]')
    await page.getByTestId('config-form').waitFor()
    await quickConfig(1000, { earlyStopping: false, lr: '0.00001' })
    const id = await launch('restart me')
    await expect
      .poll(() => catalog<{ n: number }>('SELECT COUNT(*) AS n FROM run_epochs WHERE run_id = ?', id)[0].n, {
        timeout: 60_000
      })
      .toBeGreaterThan(1)
    const pid = Number(
      /engine process (\d+) started/.exec(
        catalog<{ line: string }>(`SELECT line FROM run_log WHERE run_id = ? AND line LIKE 'engine process %'`, id)[0]
          .line
      )![1]
    )
    expect(isProcessAlive(pid)).toBe(true)
    // Stopping the app stops its engine and waits for it: no orphan may write into the run's folder later.
    await app.stop()
    expect(isProcessAlive(pid)).toBe(false)
    expect(await runStatus(id)).toBe('interrupted')
    expect(
      catalog<{ line: string }>(
        `SELECT line FROM run_log WHERE run_id = ? AND line LIKE 'interrupted: the app closed%'`,
        id
      )
    ).toHaveLength(1)
    app = await startServe({ workspace })
    await page.goto(`${app.url}#training`)
    await page.getByTestId('resume-offer').waitFor()
    expect(await runStatus(id)).toBe('interrupted')
    expect(await page.getByTestId('resume-offer').textContent()).toContain('restart me')
    await shot('14-resume-offer')
    await page.getByTestId('resume-run').click()
    await expect.poll(() => runStatus(id), { timeout: 20_000 }).toBe('running')
    await page.locator(`[data-testid="live-run"][data-run-id="${id}"]`).waitFor()
    // The resumed engine continues from the saved epoch: a resume mark, then more epochs on the same curves.
    await expect
      .poll(
        () => catalog<{ kind: string }>(`SELECT kind FROM run_marks WHERE run_id = ? AND kind = 'resume'`, id).length,
        { timeout: 30_000 }
      )
      .toBe(1)
    const resumedAt = catalog<{ n: number }>('SELECT COUNT(*) AS n FROM run_epochs WHERE run_id = ?', id)[0].n
    await expect
      .poll(async () => (await chartData(page, 'curve-loss')).loss?.length ?? 0, { timeout: 30_000 })
      .toBeGreaterThan(resumedAt)
    await page.getByTestId('cancel-run').click()
    await expect.poll(() => runStatus(id), { timeout: 30_000 }).toBe('stopped')
    expect(errors).toEqual([])
  })
})
