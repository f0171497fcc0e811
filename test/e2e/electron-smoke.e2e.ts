import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { _electron as electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(__dirname, '../..')

/**
 * Where the Electron binary would be. We never `require('electron')` from Node: Electron 42+ downloads its
 * binary on first require, which fails (and hangs) on machines without internet.
 */
function electronBinary(): { path: string | null; why: string } {
  const pkg = path.join(ROOT, 'node_modules/electron')
  const pathTxt = path.join(pkg, 'path.txt')
  if (!fs.existsSync(pkg)) return { path: null, why: 'the electron package is not installed' }
  if (!fs.existsSync(pathTxt)) {
    return {
      path: null,
      why: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing; no network for its first-run download)'
    }
  }
  const bin = path.join(pkg, 'dist', fs.readFileSync(pathTxt, 'utf8').trim())
  return fs.existsSync(bin) ? { path: bin, why: '' } : { path: null, why: `the Electron binary ${bin} is missing` }
}

const found = electronBinary()
if (!found.path)
  console.warn(`[electron smoke] SKIPPED: ${found.why}. The same UI and services are tested through browser mode.`)

describe('Electron smoke test', () => {
  it.runIf(found.path)(
    found.path ? 'opens the window with the sandboxed renderer and the preload API' : `skipped because ${found.why}`,
    async () => {
      const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'np-electron-'))
      const app = await electron.launch({
        executablePath: found.path!,
        args: [path.join(ROOT, 'out/main/index.js')],
        env: { ...process.env, NEUROPATH_WORKSPACE: workspace }
      })
      try {
        const win = await app.firstWindow()
        await win.getByTestId('status-backend').waitFor({ timeout: 60_000 })
        // The page sees window.api and nothing of Node or Electron.
        const seen = await win.evaluate(() => {
          const g = globalThis as unknown as {
            require?: unknown
            process?: unknown
            ipcRenderer?: unknown
            api?: { system?: { getInfo?: unknown } }
          }
          return {
            require: typeof g.require,
            process: typeof g.process,
            ipc: typeof g.ipcRenderer,
            getInfo: typeof g.api?.system?.getInfo
          }
        })
        expect(seen).toEqual({ require: 'undefined', process: 'undefined', ipc: 'undefined', getInfo: 'function' })
        // Navigation away from the app and new windows are blocked.
        await win.evaluate(() => (globalThis as unknown as { open(u: string): unknown }).open('https://example.com'))
        expect(app.windows().length).toBe(1)
        await win.screenshot({ path: path.join(ROOT, 'test-results/electron-shell.png') })
      } finally {
        await app.close()
      }
    }
  )
})
