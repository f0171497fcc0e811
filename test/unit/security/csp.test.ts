import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  contentSecurityPolicy,
  CSP_PLACEHOLDER,
  injectCspMeta,
  MEDIA_ORIGIN,
  rendererMetaPolicy
} from '../../../src/main/security/csp'

const INDEX = path.resolve(__dirname, '../../../src/renderer/index.html')

/** Directive name → its sources, for comparing policies directive by directive. */
function directives(policy: string): Map<string, string> {
  return new Map(
    policy.split(';').map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/)
      return [name, sources.join(' ')] as const
    })
  )
}

function metaPolicy(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)" \/>/.exec(html)
  if (!m) throw new Error('no CSP meta tag')
  return m[1]
}

describe('one Content-Security-Policy', () => {
  it('index.html holds no policy of its own, only the placeholder the build replaces', () => {
    const source = fs.readFileSync(INDEX, 'utf8')
    expect(source.split(CSP_PLACEHOLDER)).toHaveLength(2)
    expect(source).not.toMatch(/default-src|connect-src/)
  })

  it('the built meta tag equals the Electron header, except frame-ancestors which a meta tag cannot carry', () => {
    const meta = directives(metaPolicy(injectCspMeta(fs.readFileSync(INDEX, 'utf8'))))
    const header = directives(contentSecurityPolicy({ mediaOrigin: MEDIA_ORIGIN }))
    expect(meta.has('frame-ancestors')).toBe(false)
    header.delete('frame-ancestors')
    expect(meta).toEqual(header)
    expect(metaPolicy(injectCspMeta(fs.readFileSync(INDEX, 'utf8')))).toBe(rendererMetaPolicy())
  })

  it('the browser-mode header allows exactly the connections the meta tag allows', () => {
    const meta = directives(rendererMetaPolicy())
    const browserHeader = directives(contentSecurityPolicy())
    expect(browserHeader.get('connect-src')).toBe(meta.get('connect-src'))
    expect(meta.get('connect-src')).toBe("'self'")
  })

  it('refuses a page without exactly one placeholder', () => {
    expect(() => injectCspMeta('<html><head></head></html>')).toThrow(/exactly once/)
    expect(() => injectCspMeta(CSP_PLACEHOLDER + CSP_PLACEHOLDER)).toThrow(/exactly once/)
  })
})
