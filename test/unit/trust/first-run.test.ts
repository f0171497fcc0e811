import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../../src/main/services'
import { startBrowserServer, type BrowserServer } from '../../../src/main/server/browser-server'
// @ts-expect-error plain ESM script without types
import { electronAbi, electronBinary, moduleAbi } from '../../../scripts/native-abi.mjs'

const ROOT = path.resolve(__dirname, '../../..')
let dir = ''
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-first-run-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('electron-native checks the ABI it built', () => {
  it('reads NODE_MODULE_VERSION from a built module and from the electron package, so a Node build is refused', () => {
    const nodeBuild = path.join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')
    expect(moduleAbi(nodeBuild)).toBe(Number(process.versions.modules))
    const electron = electronAbi(path.join(ROOT, 'node_modules/electron'))
    expect(electron).toBeGreaterThan(Number(process.versions.modules))
    // The case: a file named for Electron that carries Node's ABI is not what Electron needs.
    expect(moduleAbi(nodeBuild)).not.toBe(electron)
    const noSymbol = path.join(dir, 'napi.node')
    fs.writeFileSync(noSymbol, Buffer.from('\x7fELF napi_register_module_v1'))
    expect(moduleAbi(noSymbol)).toBeNull()
  })
})

describe('npm start without the Electron binary', () => {
  /** An electron package folder as npm leaves it before the binary is downloaded. */
  function fakeElectron(withBinary: boolean): string {
    const d = fs.mkdtempSync(path.join(dir, 'electron-'))
    fs.writeFileSync(path.join(d, 'package.json'), JSON.stringify({ version: '45.5.0' }))
    // The download step fails the way it does offline.
    fs.writeFileSync(path.join(d, 'install.js'), "console.error('HTTPError: fetch failed'); process.exit(1)\n")
    if (withBinary) {
      fs.writeFileSync(path.join(d, 'path.txt'), 'electron')
      fs.mkdirSync(path.join(d, 'dist'))
      fs.writeFileSync(path.join(d, 'dist', 'electron'), '')
    }
    return d
  }

  it('finds an installed binary, and says in one line what to do when it is missing', () => {
    const present = fakeElectron(true)
    expect(electronBinary(present, {})).toBe(path.join(present, 'dist', 'electron'))
    const ok = spawnSync(process.execPath, [path.join(ROOT, 'scripts/check-electron.mjs')], {
      env: { ...process.env, NEUROPATH_ELECTRON_DIR: present },
      encoding: 'utf8'
    })
    expect(ok.status).toBe(0)

    const missing = fakeElectron(false)
    expect(electronBinary(missing, {})).toBeNull()
    const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts/check-electron.mjs')], {
      env: { ...process.env, NEUROPATH_ELECTRON_DIR: missing },
      encoding: 'utf8'
    })
    expect(res.status).toBe(1)
    const lines = res.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/Electron 45\.5\.0 binary is not installed and could not be downloaded \(.*fetch failed\)/)
    expect(lines[0]).toMatch(/network once/)
    expect(lines[0]).toMatch(/ELECTRON_MIRROR/)
    expect(lines[0]).toMatch(/npm run serve/)
    expect(res.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('runs the check before building and launching', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
    expect(pkg.scripts.start.startsWith('node scripts/check-electron.mjs && ')).toBe(true)
  })
})

describe('browser mode serves the app icon', () => {
  let core: Core
  let server: BrowserServer
  beforeAll(async () => {
    core = createCore(path.join(dir, 'ws'), 'browser')
    server = await startBrowserServer({ core, staticDir: path.join(ROOT, 'out/renderer'), port: 0 })
  })
  afterAll(async () => {
    await server?.close()
    core?.close()
  })

  it('answers /favicon.ico with the icon (no 404 on a clean start)', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/favicon.ico?token=${server.token}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/x-icon')
    const bytes = Buffer.from(await res.arrayBuffer())
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]) // ICONDIR, type 1 = icon
    const html = await (await fetch(`http://127.0.0.1:${server.port}/?token=${server.token}`)).text()
    expect(html).toContain('<link rel="icon" href="./favicon.ico"')
  })
})
