import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, InferenceEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { IDENTITY, standardTta, type TtaAugmentation } from '../../../src/main/evidence/tta'
import type { ClassifiedRow, ClassifyJob, EngineClassifyEvent } from '../../../src/main/inference/job'
import { classifyFolder } from '../../../src/main/inference/run/classify-folder'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'
import type { JobItem } from '../../../src/main/training/job/job'
import { tempDir, trainLeftRightModel } from '../inference/fixtures'

// Test-time augmentation through the real classify path: the engine handler (classifyFolder) on a model
// trained here to tell a bright disc left of the centre (18–38 % of the width) from one right of it (62–82 %).
// The positions vary in training so that the model's answer moves smoothly with the disc.

const ROOT = path.resolve(__dirname, '../../..')
const run = promisify(execFile)
const tmp = tempDir('tta')
let modelDir = ''
let folder = ''

/** A 64 px grey PNG with a bright disc centred at `cx` × width on a dark noisy background. */
async function writeDisc(file: string, cx: number, seed: number): Promise<void> {
  const size = 64
  const px = Buffer.alloc(size * size)
  let s = 7919 + seed * 104729
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      s = (Math.imul(s, 48271) >>> 0) % 0x7fffffff
      const inside = Math.hypot(x - cx * size, y - size / 2) < size * 0.18
      px[y * size + x] = Math.min(255, (inside ? 200 : 30) + (s % 40))
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true })
  await sharp(px, { raw: { width: size, height: size, channels: 1 } })
    .png()
    .toFile(file)
}

async function classify(tta?: ClassifyJob['tta']): Promise<Map<string, ClassifiedRow>> {
  const events: EngineClassifyEvent[] = []
  const res = await classifyFolder({ modelDir, folder, saliency: false, ...(tta ? { tta } : {}) }, (e) =>
    events.push(e)
  )
  expect(res.status).toBe('completed')
  const rows = events.flatMap((e) => (e.type === 'results' ? e.rows : []))
  return new Map(rows.map((r) => [path.basename(r.path), r]))
}

/** Left/right discs at positions spread over 18–38 % and 62–82 % of the width, 30 per class. */
async function writeSpreadDiscs(dir: string): Promise<JobItem[]> {
  const items: JobItem[] = []
  for (let label = 0; label < 2; label++) {
    for (let i = 0; i < 30; i++) {
      const file = path.join(dir, `c${label}`, `img${i}.png`)
      await writeDisc(file, (label === 0 ? 0.18 : 0.62) + (0.2 * i) / 29, 100 + i + 50 * label)
      const split = i % 6 === 4 ? 'val' : i % 6 === 5 ? 'test' : 'train'
      items.push({ itemId: items.length + 1, path: file, frame: 0, sha256: `${label}-${i}`, label, split })
    }
  }
  return items
}

beforeAll(async () => {
  const dir = path.join(tmp.dir, 'train')
  modelDir = await trainLeftRightModel(dir, {}, 64, await writeSpreadDiscs(path.join(dir, 'data')))
  folder = path.join(tmp.dir, 'patient')
  for (let i = 0; i < 4; i++) {
    await writeDisc(path.join(folder, `clear-left-${i}.png`), 0.25, i)
    await writeDisc(path.join(folder, `clear-right-${i}.png`), 0.75, i)
    await writeDisc(path.join(folder, `ambiguous-${i}.png`), 0.5, i)
  }
}, 300_000)
afterAll(() => tmp.cleanup())

describe('test-time augmentation in batch classification', () => {
  it('with identity augmentations equals plain inference, with zero uncertainty', async () => {
    const plain = await classify()
    const tta = await classify([IDENTITY, { ...IDENTITY, name: 'identity-again' }])
    expect(plain.size).toBe(12)
    expect([...tta.keys()].sort()).toEqual([...plain.keys()].sort())
    for (const [name, row] of plain) {
      expect(row.uncertainty, name).toBeNull()
      expect(Array.from(tta.get(name)!.probabilities), name).toEqual(Array.from(row.probabilities))
      expect(tta.get(name)!.uncertainty, name).toBe(0)
    }
  }, 120_000)

  it('reports a higher uncertainty on an ambiguous image than on a clear one', async () => {
    // The standard 5 % shifts: a disc in the middle moves across the decision boundary, one at 25 % or 75 %
    // stays on its side. (No mirror: on this left/right task a mirror swaps the class by design.)
    const shifts: TtaAugmentation[] = standardTta(64).filter((a) => !a.flipHorizontal)
    const rows = await classify(shifts)
    const u = (prefix: string) =>
      [...rows].filter(([n]) => n.startsWith(prefix)).map(([, r]) => r.uncertainty as number)
    const clear = [...u('clear-left'), ...u('clear-right')]
    const ambiguous = u('ambiguous')
    for (const v of [...clear, ...ambiguous]) expect(v).toBeGreaterThanOrEqual(0)
    // Per image the small model is noisy, so compare the means over the images of each kind.
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length
    expect(mean(ambiguous)).toBeGreaterThan(mean(clear) + 0.1)
    // The plain predictions of the clear images are right, so the test is about a model that learned.
    expect(rows.get('clear-left-0.png')!.probabilities[0]).toBeGreaterThan(0.5)
    expect(rows.get('clear-right-0.png')!.probabilities[1]).toBeGreaterThan(0.5)
  }, 120_000)

  it('stores the uncertainty with the job through the service and a real engine, and exports it', async () => {
    const ws = path.join(tmp.dir, 'ws')
    const core: Core = createCore(ws, 'cli', builtEngine())
    try {
      const api: Api = directApi(core)
      const events: InferenceEvent[] = []
      api.inference.onJobEvent((e) => events.push(e))
      const job = await api.inference.startJob({ modelDir, folder, tta: true, saliency: true })
      expect(job.tta).toBe(true)
      const deadline = Date.now() + 120_000
      while (!events.some((e) => e.jobId === job.id && e.type === 'status' && e.status !== 'running')) {
        if (Date.now() > deadline) throw new Error('the TTA job did not finish')
        await new Promise((r) => setTimeout(r, 50))
      }
      const d = await api.inference.getJob({ jobId: job.id })
      expect(d.status).toBe('completed')
      expect(d.predictions).toHaveLength(12)
      for (const p of d.predictions) {
        expect(p.uncertainty).not.toBeNull()
        expect(p.uncertainty!).toBeGreaterThanOrEqual(0)
        expect(p.hasSaliency).toBe(true)
        expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5)
      }
      const csv = await api.inference.exportJob({ jobId: job.id, format: 'csv' })
      const [header, first] = csv.content.split('\r\n')
      expect(header.split(',').at(-1)).toBe('tta_uncertainty')
      expect(Number(first.split(',').at(-1))).toBeCloseTo(
        d.predictions.find((p) => first.includes(path.basename(p.path)))!.uncertainty!,
        5
      )
      const plain = await api.inference.startJob({ modelDir, folder, saliency: false })
      expect(plain.tta).toBe(false)
    } finally {
      core.close()
    }
  }, 180_000)

  it('runs as `neuropath classify DIR --model DIR --out FILE.csv --tta --json`', async () => {
    const out = path.join(tmp.dir, 'tta.csv')
    const { stdout } = await run(process.execPath, [
      path.join(ROOT, 'bin/neuropath.mjs'),
      'classify',
      folder,
      '--model',
      modelDir,
      '--out',
      out,
      '--tta',
      '--no-saliency',
      '--json',
      '--workspace',
      path.join(tmp.dir, 'ws-cli')
    ])
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { tta: boolean; classified: number }
    expect(summary).toMatchObject({ tta: true, classified: 12 })
    const [header, ...rows] = fs.readFileSync(out, 'utf8').trim().split('\r\n')
    expect(header.split(',').at(-1)).toBe('tta_uncertainty')
    expect(rows).toHaveLength(12)
    for (const r of rows) expect(Number(r.split(',').at(-1))).toBeGreaterThanOrEqual(0)
  }, 120_000)
})
