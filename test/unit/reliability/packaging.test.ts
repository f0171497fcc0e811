import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(__dirname, '../../..')

/** The few YAML shapes electron-builder.yml uses: top-level keys with scalars, lists or nested maps. */
function readBuilderConfig(): { raw: string; list(key: string): string[]; scalar(key: string): string | undefined } {
  const raw = fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')
  const lines = raw.split('\n')
  return {
    raw,
    list(key) {
      const start = lines.findIndex((l) => l.startsWith(`${key}:`))
      if (start < 0) return []
      const out: string[] = []
      for (const l of lines.slice(start + 1)) {
        const m = /^ {2}- (.+)$/.exec(l)
        if (m) out.push(m[1].replace(/^'|'$/g, ''))
        else if (/^\S/.test(l)) break
      }
      return out
    },
    scalar(key) {
      return lines
        .find((l) => l.startsWith(`${key}:`))
        ?.split(':')
        .slice(1)
        .join(':')
        .trim()
    }
  }
}

describe('installer configuration', () => {
  const cfg = readBuilderConfig()

  it('unpacks native modules and WASM codecs from asar', () => {
    const unpack = cfg.list('asarUnpack')
    for (const mod of ['better-sqlite3', 'sharp', '@img', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
      expect(unpack, mod).toContain(`node_modules/${mod}/**`)
    }
    expect(unpack.some((u) => u.includes('tfjs-backend-wasm') && u.endsWith('.wasm'))).toBe(true)
    expect(unpack).toContain('out/main/engine.js')
  })

  it('unpacks every ONNX Runtime native file (binding and CPU library, all platforms) from asar', () => {
    const unpack = cfg.list('asarUnpack')
    const bin = path.join(ROOT, 'node_modules/onnxruntime-node/bin')
    const natives = (fs.readdirSync(bin, { recursive: true }) as string[])
      .filter((f) => /\.(node|so(\.\d+)*|dylib|dll)$/.test(f))
      .map((f) => `node_modules/onnxruntime-node/bin/${f.split(path.sep).join('/')}`)
    expect(natives.some((f) => f.endsWith('linux/x64/libonnxruntime.so.1'))).toBe(true)
    expect(natives.some((f) => f.endsWith('onnxruntime_binding.node'))).toBe(true)
    for (const f of natives)
      expect(
        unpack.some((glob) => path.matchesGlob(f, glob)),
        f
      ).toBe(true)
  })

  it('ships the built app and leaves test tooling and the dev Electron out', () => {
    const files = cfg.list('files')
    expect(files).toEqual(
      expect.arrayContaining([
        'out/**',
        'package.json',
        '!node_modules/electron/**',
        '!node_modules/playwright-core/**'
      ])
    )
  })

  it('targets AppImage, deb, NSIS and DMG with the app icon', () => {
    expect(cfg.raw).toMatch(/linux:\n\s+target: \[AppImage, deb\]/)
    expect(cfg.raw).toMatch(/win:\n\s+target: \[nsis\]/)
    expect(cfg.raw).toMatch(/mac:\n\s+target: \[dmg\]/)
    const icon = cfg.scalar('icon')!
    expect(fs.existsSync(path.join(ROOT, icon))).toBe(true)
    const png = fs.readFileSync(path.join(ROOT, icon))
    // PNG signature and a 512×512 IHDR: electron-builder needs at least 256×256 for every target.
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512)
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
    expect(pkg.scripts.dist).toMatch(/electron-builder/)
    expect(pkg.main).toBe('out/main/index.js')
  })
})
