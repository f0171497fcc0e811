import path from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { findLeakage } from '../../../src/main/datasets'
import { importFolder } from '../../../src/main/datasets'
import { dHash } from '../../../src/main/datasets/import/dhash'
import { resolveLeakage } from '../../../src/main/datasets/leakage/resolve-leakage'
import { hamming, parseDHash } from '../../../src/main/datasets/leakage/near-pairs'
import {
  DEFAULT_PIXEL_THRESHOLD,
  pixelDistance,
  pixelSignature
} from '../../../src/main/datasets/leakage/pixel-distance'
import { Workspace } from '../../../src/main/workspace/workspace'
import { headSlice, shifted, writeGrey } from '../../fixtures/datasets/anatomy'
import { tempDir } from '../../fixtures/datasets/images'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

const S = 256
const grey = (data: Uint8Array, size = S) => ({ width: size, height: size, channels: 1 as const, data })

/** Decodes an encoded image back to grey pixels, as the import does. */
async function roundTrip(px: Uint8Array, opts: { jpeg?: number; resize?: number }): Promise<ReturnType<typeof grey>> {
  let pipe = sharp(Buffer.from(px), { raw: { width: S, height: S, channels: 1 } })
  if (opts.resize) pipe = pipe.resize(opts.resize, opts.resize)
  const enc = await (opts.jpeg ? pipe.jpeg({ quality: opts.jpeg }) : pipe.png()).toBuffer()
  const { data, info } = await sharp(enc).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, channels: 1, data: new Uint8Array(data) }
}

describe('pixel distance', () => {
  it('calls re-encoded, resized and 2-pixel-shifted copies the same picture, and one anatomy with other lesions not', async () => {
    const base = headSlice(S, [0.35, 0.4])
    const ref = pixelSignature(grey(base))
    const copies = {
      jpeg70: await roundTrip(base, { jpeg: 70 }),
      resized200: await roundTrip(base, { resize: 200 }),
      resized300: await roundTrip(base, { resize: 300 }),
      shift2x: grey(shifted(base, S, 2, 0)),
      shift2xy: grey(shifted(base, S, 2, -2)),
      brighter: grey(base.map((v) => Math.min(255, Math.round(v * 1.1 + 5))))
    }
    const others = {
      lesionElsewhere: grey(headSlice(S, [0.65, 0.6])),
      lesionNearby: grey(headSlice(S, [0.43, 0.4])),
      noLesion: grey(headSlice(S, null))
    }
    const h = (r: ReturnType<typeof grey>) => parseDHash(dHash(r))!
    for (const [name, img] of Object.entries(copies)) {
      expect(pixelDistance(ref, pixelSignature(img)), name).toBeLessThanOrEqual(DEFAULT_PIXEL_THRESHOLD / 2)
    }
    for (const [name, img] of Object.entries(others)) {
      // The dHash alone cannot tell these apart from copies: that is why the pixel check exists.
      expect(hamming(h(grey(base)), h(img)), name).toBeLessThanOrEqual(6)
      expect(pixelDistance(ref, pixelSignature(img)), name).toBeGreaterThan(DEFAULT_PIXEL_THRESHOLD * 3)
    }
    // Symmetric enough that the order of a pair does not decide it, and 0 for the image itself.
    expect(pixelDistance(ref, ref)).toBeCloseTo(0, 6)
    const other = pixelSignature(others.lesionElsewhere)
    expect(Math.abs(pixelDistance(ref, other) - pixelDistance(other, ref))).toBeLessThan(0.05)
  })
})

describe('leakage report on one synthetic anatomy', () => {
  it('reports only real copies, one scored pair each, and does not chain the anatomy into a cluster', async () => {
    const data = tempDir('leak-anatomy')
    const ws = Workspace.open(tempDir('leak-anatomy-ws').dir)
    cleanups.push(data.cleanup, () => ws.close())
    const at = (rel: string) => path.join(data.dir, rel)
    // 12 patients of one anatomy, lesions in different places, in two classes.
    const slices: Uint8Array[] = []
    for (let i = 0; i < 12; i++) {
      const px = headSlice(S, [0.3 + 0.035 * i, 0.3 + 0.03 * ((i * 5) % 12)], i)
      slices.push(px)
      await writeGrey(at(`${i % 2 ? 'tumour' : 'normal'}/PGL${String(i).padStart(3, '0')}_slice0.png`), px, S)
    }
    // Copies in the other class: re-encoded as JPEG, resized, shifted by 2 pixels.
    await writeGrey(at('tumour/copy_jpeg.jpg'), slices[0], S, { jpeg: 75 })
    await writeGrey(at('tumour/copy_resized.png'), slices[2], S, { resize: 180 })
    await writeGrey(at('normal/copy_shift.png'), shifted(slices[3], S, 2, 2), S)
    const imp = await importFolder(ws.db, { dataset: 'anatomy', root: data.dir, cacheDir: ws.cacheDir })
    expect(imp.imported).toBe(15)
    const report = await findLeakage(ws.db, imp.datasetId, { cacheDir: ws.cacheDir })
    const rel = (p: string) => path.relative(data.dir, p)
    const pairs = report.near.map((f) => f.paths.map(rel).sort())
    expect(pairs.sort()).toEqual(
      [
        ['normal/PGL000_slice0.png', 'tumour/copy_jpeg.jpg'],
        ['normal/PGL002_slice0.png', 'tumour/copy_resized.png'],
        ['normal/copy_shift.png', 'tumour/PGL003_slice0.png']
      ].sort()
    )
    // Each finding is a pair with its distances; the anatomy's look-alike pairs were measured and rejected.
    for (const f of report.near) {
      expect(f.items).toHaveLength(2)
      expect(f.crossClass).toBe(true)
      expect(f.maxDistance).toBeLessThanOrEqual(report.threshold)
      expect(f.pixelDistance).not.toBeNull()
      expect(f.pixelDistance!).toBeLessThanOrEqual(report.pixelThreshold)
    }
    expect(report.candidatePairs).toBeGreaterThan(20)
    expect(report.rejectedPairs).toBe(report.candidatePairs - 3)
    expect(report.measure).toContain('pixel distance')
    expect(report.pixelThreshold).toBe(DEFAULT_PIXEL_THRESHOLD)

    // A dry run counts what a bulk exclusion would change and writes nothing.
    const f = report.near[0]
    const ids = f.items.map((i) => i.itemId)
    const dry = resolveLeakage(ws.db, imp.datasetId, {
      itemIds: ids,
      action: 'exclude',
      keepItemId: ids[0],
      dryRun: true
    })
    expect(dry).toEqual({ opId: null, changed: 1 })
    const again = await findLeakage(ws.db, imp.datasetId, { cacheDir: ws.cacheDir })
    expect(again.near).toHaveLength(3)
  })
})
