import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { applyWindow, describeValues, WindowRenderer } from '../../shared/display/window-lut'
import { encodeDicom, type WriteElement } from '../imaging'
import { createCore } from '../services'

const SIZE = 512
const SLICES = 200

/** One 512×512 signed 16-bit CT slice of a synthetic series (rescale −1024), at z = slice × 2.5 mm. */
function slice(k: number, pixels: Int16Array): Uint8Array {
  const els: WriteElement[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
    { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.10.1419.88.3.${k}` },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.10.1419.88.2' },
    { tag: 0x00200013, vr: 'IS', value: k + 1 },
    { tag: 0x00200032, vr: 'DS', value: [0, 0, k * 2.5] },
    { tag: 0x00200037, vr: 'DS', value: [1, 0, 0, 0, 1, 0] },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: SIZE },
    { tag: 0x00280011, vr: 'US', value: SIZE },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 16 },
    { tag: 0x00280102, vr: 'US', value: 15 },
    { tag: 0x00280103, vr: 'US', value: 1 },
    { tag: 0x00281050, vr: 'DS', value: 40 },
    { tag: 0x00281051, vr: 'DS', value: 80 },
    { tag: 0x00281052, vr: 'DS', value: -1024 },
    { tag: 0x00281053, vr: 'DS', value: 1 },
    { tag: 0x7fe00010, vr: 'OW', value: pixels }
  ]
  return encodeDicom(els)
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 100) / 100

/**
 * Viewer figures measured in Node: listing a 200-slice 512×512 CT folder through the imaging service
 * (scan, headers, series sort), the first frame's decode, a cached frame, and the window/level pass the
 * renderer runs per drag step (the same code; Chromium's own figure comes from the e2e test).
 */
export async function benchViewer(): Promise<Record<string, number | string>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-viewer-'))
  const dataDir = path.join(root, 'series')
  fs.mkdirSync(dataDir)
  const pixels = new Int16Array(SIZE * SIZE)
  for (let i = 0; i < pixels.length; i++) pixels[i] = ((i * 7) % 3000) + 24
  for (let k = 0; k < SLICES; k++) fs.writeFileSync(path.join(dataDir, `IM${(k * 37) % SLICES}.dcm`), slice(k, pixels))
  const core = createCore(path.join(root, 'ws'), 'cli')
  const call = async <T>(channel: string, req: unknown): Promise<T> => {
    const r = await core.dispatcher.call(channel, req, { transport: 'direct' })
    if (!r.ok) throw new Error(r.error.message)
    return r.value as T
  }
  try {
    let t0 = performance.now()
    const opened = await call<{ series: { entries: { path: string }[] }[] }>('imaging.openPaths', { paths: [dataDir] })
    const openMs = ms(t0)
    const first = opened.series[0].entries[0].path
    t0 = performance.now()
    const frame = await call<{ modality: Float32Array; min: number; max: number; integer: boolean }>(
      'imaging.getFrame',
      { path: first }
    )
    const firstFrameMs = ms(t0)
    t0 = performance.now()
    await call('imaging.getFrame', { path: first })
    const cachedFrameMs = ms(t0)
    t0 = performance.now()
    for (const e of opened.series[0].entries.slice(1, 21)) await call('imaging.getFrame', { path: e.path })
    const frameMs = ms(t0) / 20

    const r = new WindowRenderer({ ...frame, width: SIZE, height: SIZE, samplesPerPixel: 1 })
    const N = 100
    r.render({ center: 40, width: 80, fn: 'LINEAR' }, false)
    t0 = performance.now()
    for (let i = 0; i < N; i++) r.render({ center: 40 + i, width: 80 + i * 3, fn: 'LINEAR' }, i % 2 === 0)
    const lutMs = ms(t0) / N
    const floats = new Float32Array(frame.modality).map((v) => v * 0.37)
    const fr = new WindowRenderer({
      modality: floats,
      width: SIZE,
      height: SIZE,
      samplesPerPixel: 1,
      ...describeValues(floats)
    })
    t0 = performance.now()
    for (let i = 0; i < N; i++) fr.render({ center: 40 + i, width: 80, fn: 'LINEAR' }, false)
    const floatMs = ms(t0) / N
    t0 = performance.now()
    applyWindow(frame.modality, SIZE, SIZE, 40, 80, false)
    const oneShotMs = ms(t0)
    const round = (x: number) => Math.round(x * 100) / 100
    return {
      open200SliceFolderMs: openMs,
      firstFrame512DecodeMs: firstFrameMs,
      cachedFrameMs: cachedFrameMs,
      frame512DecodeMeanMs: round(frameMs),
      windowLevel512IntegerLutMs: round(lutMs),
      windowLevel512FloatMs: round(floatMs),
      applyWindow512OneShotMs: oneShotMs
    }
  } finally {
    core.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
}
