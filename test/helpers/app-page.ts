import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './chromium'
import { startServe, type ServedApp } from './serve'

/**
 * `neuropath serve` plus Debian's Chromium on one view of the app (`#viewer`, `#runs`…), with page errors
 * collected into `errors` so a test can assert that none happened.
 */
export async function openAppPage(opts: {
  view: string
  viewport: { width: number; height: number }
  errors: string[]
  workspace?: string
}): Promise<{ app: ServedApp; browser: Browser; page: Page }> {
  const app = await startServe(opts.workspace ? { workspace: opts.workspace } : {})
  const browser = await launchChromium()
  const page = await browser.newPage({ viewport: opts.viewport })
  page.on('pageerror', (e) => opts.errors.push(e.message))
  await page.goto(`${app.url}#${opts.view}`)
  return { app, browser, page }
}
