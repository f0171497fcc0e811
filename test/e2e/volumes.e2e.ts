import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scratchDir } from '../fixtures/dicom/corpus'
import { makeVolumes } from '../fixtures/nifti/volumes'
import { type ServedApp } from '../helpers/serve'
import { openAppPage } from '../helpers/app-page'

/**
 * Research formats in the real Viewer (browser mode, Debian's Chromium): a 256×256×180 NIfTI volume opens as
 * a scrollable axial stack, an enhanced multi-frame MR shows its frames in Plane Position order, and a
 * BINARY SEG shows as a standalone mask. Screenshots go to test-results/volumes/.
 */

const SHOTS = path.resolve(__dirname, '../../test-results/volumes')

interface PageCanvas {
  dataset: Record<string, string | undefined>
}

async function drawn(page: Page): Promise<{ path?: string; frame?: string }> {
  return page.getByTestId('viewer-canvas').evaluate((el) => {
    const d = (el as unknown as PageCanvas).dataset
    return { path: d.path, frame: d.frame }
  })
}

async function openPath(page: Page, p: string): Promise<void> {
  await page.getByTestId('viewer-path').fill(p)
  await page.getByTestId('viewer-path').press('Enter')
}

async function waitForPath(page: Page, file: string, frame: number): Promise<void> {
  await expect.poll(() => drawn(page), { interval: 20, timeout: 20_000 }).toEqual({ path: file, frame: String(frame) })
}

describe('volumes, enhanced multi-frame and SEG in the viewer', () => {
  const data = scratchDir('e2e-volumes')
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  let volume = ''
  let enhanced = ''
  let enhancedOrder: number[] = []
  let seg = ''

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true })
    const [big] = makeVolumes(data.dir, true)
    volume = path.join(fs.realpathSync(data.dir), big.file)
    const fixtures = path.resolve(__dirname, '../fixtures')
    const mf = JSON.parse(
      execFileSync('/usr/bin/python3', [path.join(fixtures, 'enhanced/make_enhanced.py'), data.file('mf')], {
        encoding: 'utf8'
      })
    ) as { file: string; frames: { frame: number; position: number[] }[] }
    enhanced = fs.realpathSync(mf.file)
    enhancedOrder = [...mf.frames].sort((a, b) => a.position[2] - b.position[2]).map((f) => f.frame)
    const s = JSON.parse(
      execFileSync('/usr/bin/python3', [path.join(fixtures, 'pixel-data/make_seg.py'), data.file('seg')], {
        encoding: 'utf8'
      })
    ) as { file: string }
    seg = fs.realpathSync(s.file)
    ;({ app, browser, page } = await openAppPage({ view: 'viewer', viewport: { width: 1280, height: 900 }, errors }))
    await page.getByTestId('viewer-empty').waitFor()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    data.cleanup()
  })

  it('opens a .nii.gz as an axial stack of 180 slices and scrolls through it', async () => {
    await openPath(page, volume)
    await waitForPath(page, volume, 0)
    await expect.poll(() => page.getByTestId('viewer-position').textContent()).toContain('180')
    await page.getByTestId('viewer-series-item').first().waitFor()
    expect(await page.getByTestId('viewer-series').textContent()).toContain('RAS')
    for (let i = 0; i < 90; i++) await page.keyboard.press('ArrowDown')
    await waitForPath(page, volume, 90)
    await page.screenshot({ path: path.join(SHOTS, 'nifti-axial-90.png') })
    expect(await page.getByTestId('viewer-error').count()).toBe(0)
    expect(errors).toEqual([])
  })

  it('shows an enhanced multi-frame file in Plane Position order', async () => {
    await openPath(page, enhanced)
    await waitForPath(page, enhanced, enhancedOrder[0])
    await page.keyboard.press('ArrowDown')
    await waitForPath(page, enhanced, enhancedOrder[1])
    await page.screenshot({ path: path.join(SHOTS, 'enhanced-mr.png') })
    expect(errors).toEqual([])
  })

  it('shows a 1-bit SEG as a standalone mask', async () => {
    await openPath(page, seg)
    await waitForPath(page, seg, 0)
    await page.screenshot({ path: path.join(SHOTS, 'seg-mask.png') })
    expect(await page.getByTestId('viewer-error').count()).toBe(0)
    expect(errors).toEqual([])
  })
})
