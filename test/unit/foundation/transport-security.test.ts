import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { packBinary, unpackBinary } from '../../../src/shared/wire'
import { resolveStatic } from '../../../src/main/server/static-files'
import { tokenMatches, cookieValue } from '../../../src/main/server/token'
import { isTrustedSender } from '../../../src/main/security/sender-policy'
import { mainWindowOptions } from '../../../src/main/security/window-options'
import { contentSecurityPolicy, injectCspMeta } from '../../../src/main/security/csp'
import { MediaResolver } from '../../../src/main/media/media-resolver'

describe('binary wire codec', () => {
  it('carries typed arrays beside JSON and restores them with their type', () => {
    const value = {
      ok: true,
      value: { px: new Int16Array([-3, 7, 32767]), meta: { f: new Float32Array([0.5]) }, n: 2 }
    }
    const { json, bins } = packBinary(value)
    expect(JSON.parse(JSON.stringify(json))).toEqual(json)
    const buffers = bins.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer)
    const back = unpackBinary(JSON.parse(JSON.stringify(json)), buffers) as typeof value
    expect(back.value.px).toBeInstanceOf(Int16Array)
    expect(Array.from(back.value.px)).toEqual([-3, 7, 32767])
    expect(back.value.meta.f[0]).toBe(0.5)
  })
})

describe('browser-mode static files', () => {
  it('refuses paths that escape the renderer folder', () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'np-static-')))
    fs.writeFileSync(path.join(root, 'index.html'), '<html></html>')
    expect(resolveStatic(root, '/')?.file).toBe(path.join(root, 'index.html'))
    for (const p of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2fetc%2fpasswd',
      '/%00',
      '/a\\..\\b',
      '/%E0%A4%A'
    ]) {
      expect(resolveStatic(root, p), p).toBeNull()
    }
    fs.rmSync(root, { recursive: true })
  })

  it('compares tokens exactly and reads cookies', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true)
    expect(tokenMatches('abc', 'abd')).toBe(false)
    expect(tokenMatches('abc', 'ab')).toBe(false)
    expect(tokenMatches('abc', null)).toBe(false)
    expect(cookieValue('a=1; np_token=xyz; b=2', 'np_token')).toBe('xyz')
  })
})

describe('media resolver', () => {
  it('serves only registered kinds by opaque id, never a path', async () => {
    const media = new MediaResolver()
    media.register('thumb', (id) => (id === '7' ? { file: '/x/7.png', type: 'image/png' } : null))
    await expect(media.resolve('thumb/7')).resolves.toEqual({ file: '/x/7.png', type: 'image/png' })
    await expect(media.resolve('thumb/8')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    for (const ref of ['thumb/../../etc/passwd', 'file/etc/passwd', '../etc', 'thumb/..']) {
      await expect(media.resolve(ref), ref).rejects.toMatchObject({
        code: expect.stringMatching(/FORBIDDEN|NOT_FOUND/)
      })
    }
  })
})

describe('Electron security settings', () => {
  it('isolates and sandboxes the renderer without Node', () => {
    const wp = mainWindowOptions('/app/preload.js').webPreferences!
    expect(wp).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false
    })
  })

  it('has a CSP with no remote origins and no eval', () => {
    const csp = contentSecurityPolicy({ mediaOrigin: 'neuropath-media:' })
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/unsafe-eval|https?:/)
    const html = injectCspMeta(fs.readFileSync(path.resolve(__dirname, '../../../src/renderer/index.html'), 'utf8'))
    expect(html).toContain("default-src 'none'; script-src 'self'")
  })

  it('accepts IPC only from the app document', () => {
    const app = 'file:///opt/np/out/renderer/index.html'
    expect(isTrustedSender('file:///opt/np/out/renderer/index.html#viewer', app)).toBe(true)
    expect(isTrustedSender('file:///tmp/evil.html', app)).toBe(false)
    expect(isTrustedSender('https://example.com/', app)).toBe(false)
    expect(isTrustedSender(undefined, app)).toBe(false)
    expect(isTrustedSender('http://localhost:5173/#x', 'http://localhost:5173/')).toBe(true)
    expect(isTrustedSender('http://localhost:5174/', 'http://localhost:5173/')).toBe(false)
  })
})
