import fs from 'node:fs'
import type { Browser } from 'playwright-core'

/** Debian's Chromium; neither the tests nor the benches ever download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Launches Debian's Chromium headless with the flags this closed network needs (Playwright gives it a fresh
 * profile). playwright-core is a development dependency: it is loaded from node_modules on first use
 * (electron.vite.config.ts keeps it out of the bundle).
 */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's "chromium" package (.ci/run does)`)
  }
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  })
}
