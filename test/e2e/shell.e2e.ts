import fs from 'node:fs'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/chromium'
import { startServe, type ServedApp } from '../helpers/serve'

const SHOTS = path.resolve(__dirname, '../../test-results/shell')

describe('app shell in browser mode', () => {
  let app: ServedApp
  let browser: Browser

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true })
    app = await startServe()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })

  it('shows every view and the real backend in the status bar', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const errors: string[] = []
    const remote: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    // No remote content, ever: every request stays on the app's own origin (or is inline data).
    page.on('request', (r) => {
      const u = r.url()
      if (!u.startsWith(app.origin) && !/^(data|blob):/.test(u)) remote.push(u)
    })
    await page.goto(app.url)
    const backend = page.getByTestId('status-backend')
    await backend.waitFor()
    // The CLI in this environment reports the same backend the page shows.
    const info = JSON.parse(
      (await import('node:child_process'))
        .execFileSync(
          process.execPath,
          [path.resolve(__dirname, '../../bin/neuropath.mjs'), 'info', '--json', '--workspace', app.workspace],
          { encoding: 'utf8' }
        )
        .trim()
        .split('\n')
        .at(-1)!
    ) as { backend: { active: string } }
    await expect.poll(() => backend.textContent()).toContain(info.backend.active)
    expect(await page.getByTestId('status-workspace').textContent()).toContain(app.workspace)

    for (const view of ['datasets', 'viewer', 'training', 'runs', 'classify']) {
      await page.click(`nav button[data-view="${view}"]`)
      await page.getByTestId(`view-${view}`).waitFor()
      // Each view says what to do next; none shows invented numbers.
      expect((await page.getByTestId(`view-${view}`).textContent())!.length).toBeGreaterThan(40)
      await page.screenshot({ path: path.join(SHOTS, `${view}.png`) })
    }
    expect(errors).toEqual([])
    expect(remote).toEqual([])
    await page.close()
  })

  it('refuses a missing or wrong token on the page, the API socket and media', async () => {
    for (const suffix of ['/', '/?token=wrong', '/index.html', '/media/thumb/1']) {
      const res = await fetch(app.origin + suffix)
      expect(res.status, suffix).toBe(401)
    }
    const refused = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`${app.origin.replace('http', 'ws')}/ws?token=wrong`)
      ws.on('open', () => resolve(false))
      ws.on('error', () => resolve(true))
    })
    expect(refused).toBe(true)
    const ok = await fetch(app.url)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'none'")
  })

  it('binds to loopback by default', () => {
    expect(new URL(app.url).hostname).toBe('127.0.0.1')
  })
})
