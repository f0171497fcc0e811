import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { e2eScratch } from '../helpers/e2e-scratch'
import { openAppPage } from '../helpers/app-page'
import type { ServedApp } from '../helpers/serve'
import { cli, importAndSplit, writeTrainingDataset } from '../unit/training-ui/fixtures'
import { NOISE_CONFIG, writeNoiseDataset } from '../unit/trust/fixtures'

/**
 * What the app says matches what it did (#13): the learning verdict in the Runs table, the run page and Classify;
 * figures named by their split; wall-clock durations; progress of the stage that runs; Cancel that answers at once.
 */
describe('trust in browser mode', () => {
  const scratch = e2eScratch('np-trust-ui-', 'trust')
  const { tmp, workspace } = scratch
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  const shot = (name: string) => scratch.shot(page, name)
  let flagged = { runId: 0, durationSeconds: 0 }
  let cliWallSeconds = 0

  beforeAll(async () => {
    await writeNoiseDataset(path.join(tmp, 'noise'), 12)
    importAndSplit(path.join(tmp, 'noise'), 'noise', workspace)
    await writeTrainingDataset(path.join(tmp, 'mri'))
    importAndSplit(path.join(tmp, 'mri'), 'brain-mri', workspace)
    const config = path.join(tmp, 'noise.json')
    fs.writeFileSync(config, JSON.stringify(NOISE_CONFIG))
    const started = performance.now()
    flagged = cli(['train', '--dataset', 'noise', '--config', config, '--name', 'noise labels'], workspace) as {
      runId: number
      durationSeconds: number
    }
    cliWallSeconds = (performance.now() - started) / 1000
    ;({ app, browser, page } = await openAppPage({
      view: 'runs',
      viewport: { width: 1440, height: 1000 },
      errors,
      workspace,
      prepare: (p) => p.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
    }))
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    scratch.remove()
  })

  it('flags the run that did not learn in the Runs table and on its page, naming each figure’s split', async () => {
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(1)
    const row = page.getByTestId('run-row').first()
    expect(await row.getByTestId('run-verdict').getAttribute('data-verdict')).toBe('did-not-learn')
    expect(await row.getByTestId('run-eval-acc').textContent()).toMatch(/test$/)
    // Wall clock: the Duration cell shows what the CLI measured, not the sum of epoch seconds.
    const shown = Number(/^(\d+) s$/.exec((await row.locator('td').nth(10).textContent()) ?? '')?.[1])
    expect(Math.abs(shown - flagged.durationSeconds)).toBeLessThanOrEqual(1)
    // ... and that figure is the run's wall-clock time: the CLI's own wall time minus at most its start-up
    // (the old sum of epoch seconds was a fraction of it).
    expect(flagged.durationSeconds).toBeLessThanOrEqual(cliWallSeconds + 0.1)
    expect(flagged.durationSeconds).toBeGreaterThanOrEqual(cliWallSeconds - 1.5)
    await shot('01-runs-table')
    await row.click()
    await page.getByTestId('run-detail').waitFor()
    expect(await page.getByTestId('verdict-banner').getAttribute('data-verdict')).toBe('did-not-learn')
    expect(await page.getByTestId('verdict-banner').textContent()).toMatch(/Did not learn:.*chance/)
    expect(await page.getByTestId('detail-eval-label').textContent()).toBe('test acc')
    await shot('02-run-page')
    await page.getByTestId('tab-evaluation').click()
    expect(await page.getByTestId('eval-split').textContent()).toBe('test')
    await shot('03-run-evaluation')
  })

  it('warns in Classify before a flagged model is used', async () => {
    await page.click('nav button[data-view="classify"]')
    await page.getByTestId('classify-model-flagged').waitFor()
    expect(await page.getByTestId('classify-model-flagged').textContent()).toMatch(/did not learn/i)
    await page.getByTestId('classify-folder').fill(path.join(tmp, 'noise', 'c0'))
    await page.getByTestId('classify-start').click()
    await expect.poll(() => page.getByTestId('classify-form-error').textContent()).toMatch(/confirm/)
    await shot('04-classify-flagged')
  })

  it('shows the stage that runs from its first moment, and Cancel answers at once', async () => {
    await page.click('nav button[data-view="training"]')
    await page.getByTestId('config-form').waitFor()
    const mri = await page
      .getByTestId('dataset-select')
      .locator('option', { hasText: 'brain-mri' })
      .getAttribute('value')
    await page.getByTestId('dataset-select').selectOption(mri!)
    await page.getByTestId('preset-select').selectOption('Quick CPU (stage 1 on cached embeddings)')
    await page.getByTestId('backbone-random').check()
    for (const [k, v] of [
      ['inputSize', '32'],
      ['head.fc1Units', '16'],
      ['head.fc2Units', '8'],
      ['batchSize', '8'],
      ['stage1.epochs', '2']
    ]) {
      const el = page.getByTestId(`field-${k}`)
      if (!(await el.isVisible()))
        await page
          .getByTestId(`section-${k.split('.')[0]}`)
          .locator('summary')
          .click()
      await el.fill(v)
    }
    const stage2 = page.getByTestId('field-stage2.enabled')
    if (!(await stage2.isVisible())) await page.getByTestId('section-stage2').locator('summary').click()
    await stage2.setChecked(true)
    await page.getByTestId('field-stage2.epochs').fill('50')
    await page.getByTestId('run-name').fill('two stages')
    await page.getByTestId('launch').click()
    const live = page.getByTestId('live-run')
    await live.waitFor({ timeout: 180_000 })
    // Stage 2 starts: its own epoch count, no stale speed, no ETA of 0 s, never a full bar before its batches.
    await expect.poll(() => live.getByTestId('progress-stage').textContent(), { timeout: 180_000 }).toMatch(/^2 /)
    const facts = await live.getByTestId('run-progress').textContent()
    expect(facts).toMatch(/Epoch \d+ \/ 50/)
    expect(facts).not.toMatch(/ETA \(this stage\) 0 s/)
    const bar = await live.getByTestId('progress-bar').getAttribute('aria-valuenow')
    expect(bar === null || Number(bar) < 100).toBe(true)
    await shot('05-live-stage2')
    await live.getByTestId('cancel-run').click()
    expect(await live.getByTestId('cancel-run').textContent()).toMatch(/Cancelling/)
    await shot('06-cancel-pressed')
    await expect.poll(() => live.getByTestId('run-status').textContent(), { timeout: 120_000 }).toMatch(/stopped/i)
    // The ended run is judged at once: the live panel shows the verdict (a run that did not learn says why).
    await live.getByTestId('verdict-banner').waitFor({ timeout: 30_000 })
    await shot('07-live-ended-verdict')
    expect(errors).toEqual([])
  }, 400_000)
})
