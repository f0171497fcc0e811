import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { e2eScratch, readCatalog } from '../helpers/e2e-scratch'
import { openAppPage } from '../helpers/app-page'
import type { ServedApp } from '../helpers/serve'
import { cli, QUICK, writeTrainingDataset } from '../unit/training-ui/fixtures'

const CLI = path.resolve(__dirname, '../../bin/neuropath.mjs')

// A cross-validation study whose app died mid-study (the `neuropath cv` process killed during its second fold),
// resumed from its row in the Runs view.
describe('resuming an interrupted cross-validation study from the Runs view', () => {
  const scratch = e2eScratch('np-study-resume-', 'study-resume')
  const { tmp, workspace } = scratch
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  const shot = (name: string) => scratch.shot(page, name)

  const catalog = <T>(sql: string, ...args: unknown[]): T[] => readCatalog<T>(workspace, sql, ...args)

  beforeAll(async () => {
    await writeTrainingDataset(path.join(tmp, 'data'), 6, 0)
    cli(['import', path.join(tmp, 'data'), '--dataset', 'brain-mri'], workspace)
    const config = path.join(tmp, 'cv.json')
    fs.writeFileSync(
      config,
      JSON.stringify({
        ...QUICK,
        // nsfwjs at 32 px tells the three textures apart (the random backbone does not, on 4 training images a class).
        backbone: { kind: 'nsfwjs' },
        stage1: { epochs: 40, mode: 'embeddings', learningRate: 3e-3 },
        earlyStopping: { enabled: false }
      })
    )
    // The study runs in a CLI process that is killed once its second fold has trained a few epochs.
    const proc = spawn(
      process.execPath,
      [
        CLI,
        'cv',
        '--dataset',
        'brain-mri',
        '--folds',
        '3',
        '--group-by',
        'none',
        '--config',
        config,
        '--json',
        '--workspace',
        workspace
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    const fold2 = await new Promise<number>((resolve, reject) => {
      let out = ''
      proc.once('exit', (code) => reject(new Error(`cv ended (${code}) before its second fold`)))
      proc.stdout!.on('data', (d) => {
        out += String(d)
        const m = /"type":"fold-started","fold":1,"runId":(\d+)/.exec(out)
        if (m) resolve(Number(m[1]))
      })
    })
    // Killed once the second fold's run has saved two epochs (so its resume continues from there).
    const epochs = () => catalog<{ n: number }>(`SELECT COUNT(*) AS n FROM run_epochs WHERE run_id = ${fold2}`)[0].n
    while (epochs() < 2) await new Promise((r) => setTimeout(r, 50))
    proc.kill('SIGKILL')
    await new Promise((r) => proc.once('exit', r))
    ;({ app, browser, page } = await openAppPage({
      view: 'runs',
      viewport: { width: 1440, height: 900 },
      errors,
      workspace
    }))
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    scratch.remove()
  })

  it('shows the study interrupted with a Resume button; resuming keeps fold 1 and completes the study', async () => {
    const row = page.getByTestId('study-row')
    await row.waitFor()
    expect(await page.getByTestId('study-status').textContent()).toMatch(
      /^interrupted — the app closed while this study was running/
    )
    expect(await row.textContent()).toMatch(/1\/3/)
    const before = catalog<{ fold: number; run_id: number }>('SELECT fold, run_id FROM cv_study_runs ORDER BY fold')
    expect(before.map((r) => r.fold)).toEqual([0, 1])
    await shot('01-interrupted')

    await page.getByTestId('study-resume').click()
    await expect.poll(() => page.getByTestId('study-status').textContent(), { timeout: 150_000 }).toBe('completed')
    expect(await row.textContent()).toMatch(/3\/3/)
    expect(await page.getByTestId('study-resume').count()).toBe(0)
    const after = catalog<{ fold: number; run_id: number }>('SELECT fold, run_id FROM cv_study_runs ORDER BY fold')
    // The finished fold and the interrupted fold kept their runs; the third fold got a new one.
    expect(after.slice(0, 2)).toEqual(before)
    expect(after).toHaveLength(3)
    const marks = catalog<{ n: number }>(
      `SELECT COUNT(*) AS n FROM run_marks WHERE run_id = ${before[1].run_id} AND kind = 'resume'`
    )
    expect(marks[0].n).toBe(1)
    await row.click()
    await expect.poll(() => page.getByTestId('study-fold').count()).toBe(3)
    await shot('02-resumed-completed')
    expect(errors).toEqual([])
  }, 200_000)
})
