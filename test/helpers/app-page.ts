import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './chromium'
import { startServe, type ServedApp } from './serve'

/**
 * `neuropath serve` plus Debian's Chromium on one view of the app (`#viewer`, `#runs`…; no view = the app's
 * start view), with page errors collected into `errors` so a test can assert that none happened. `prepare` runs
 * on the new page before the app loads (timeouts, more listeners); `acceptDownloads` lets the page download.
 */
export async function openAppPage(opts: {
  view?: string
  viewport: { width: number; height: number }
  errors: string[]
  workspace?: string
  acceptDownloads?: boolean
  prepare?: (page: Page) => void
}): Promise<{ app: ServedApp; browser: Browser; page: Page }> {
  const app = await startServe(opts.workspace ? { workspace: opts.workspace } : {})
  const browser = await launchChromium()
  const page = await browser.newPage({ viewport: opts.viewport, acceptDownloads: opts.acceptDownloads })
  page.on('pageerror', (e) => opts.errors.push(e.message))
  opts.prepare?.(page)
  await page.goto(opts.view ? `${app.url}#${opts.view}` : app.url)
  return { app, browser, page }
}
