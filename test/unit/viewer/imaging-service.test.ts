import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiClient } from '../../../src/shared/api-client'
import type { Api } from '../../../src/shared/contract'
import { MAX_DROP_CHUNK } from '../../../src/shared/contract/imaging'
import { packBinary, unpackBinary } from '../../../src/shared/wire'
import { createCore, type Core } from '../../../src/main/services'
import {
  BAD_SERIES_UID,
  ctSliceBytes,
  ctStored,
  FILE_WINDOWS,
  SERIES_UID,
  tempDir,
  writeBadFiles,
  writeCtSeries,
  writeCtSlice,
  writePng
} from './fixtures'
import { directTransport } from '../../helpers/direct-transport'

const data = tempDir('data')
const outside = tempDir('outside')
const ws = tempDir('ws')
let core: Core
let api: Api
let series: string[] = []
let png = ''
let multi = ''
let bad: ReturnType<typeof writeBadFiles>
let secret = ''

beforeAll(async () => {
  core = createCore(ws.dir, 'cli')
  api = createApiClient(directTransport(core))
  series = writeCtSeries(path.join(data.dir, 'ct'), 6, 32, 48)
  png = await writePng(path.join(data.dir, 'png'), 'scan.png', 40, 30)
  fs.writeFileSync(path.join(data.dir, 'ct', 'README.txt'), 'not an image')
  // Real slices under names a scan must pass over: DICOMDIR and a hidden file.
  for (const name of ['DICOMDIR', '.hidden.dcm'])
    fs.writeFileSync(path.join(data.dir, 'ct', name), ctSliceBytes({ rows: 32, columns: 48, slice: 9 }))
  multi = writeCtSlice(path.join(data.dir, 'cine'), 'multi.dcm', {
    rows: 16,
    columns: 24,
    slice: 0,
    frames: 5,
    seriesUID: '1.2.826.0.1.3680043.10.1419.77.2',
    seriesNumber: 2,
    description: 'CINE'
  })
  fs.mkdirSync(path.join(data.dir, 'bad'))
  bad = writeBadFiles(path.join(data.dir, 'bad'))
  secret = writeCtSlice(outside.dir, 'secret.dcm', { rows: 8, columns: 8, slice: 0 })
  fs.symlinkSync(secret, path.join(data.dir, 'ct', 'link-to-secret.dcm'))
  fs.symlinkSync(outside.dir, path.join(data.dir, 'linked-dir'))
})

afterAll(() => {
  core?.close()
  for (const d of [data, outside, ws]) d.cleanup()
})

describe('imaging.openPaths', () => {
  it('lists a folder grouped by series, DICOM sorted by slice position, non-images skipped', async () => {
    const res = await api.imaging.openPaths({ paths: [data.dir] })
    expect(res.roots).toEqual([data.dir])
    const ct = res.series.find((s) => s.key === `series:${SERIES_UID}`)!
    expect(ct.entries.map((e) => e.path)).toEqual(series)
    expect(ct.label).toBe('1 HEAD AXIAL (CT) · 6 images')
    expect(ct.entries[0]).toMatchObject({ kind: 'dicom', width: 48, height: 32, frames: 1, modality: 'CT' })
    const cine = res.series.find((s) => s.seriesDescription === 'CINE')!
    expect(cine.entries).toHaveLength(1)
    expect(cine.entries[0].frames).toBe(5)
    const pngGroup = res.series.find((s) => s.key === `folder:${path.dirname(png)}`)!
    expect(pngGroup.entries[0]).toMatchObject({ kind: 'png', width: 40, height: 30, name: 'scan.png' })
    // DICOM series come first, in series-number order; unreadable files are listed last with their reason.
    expect(res.series.indexOf(ct)).toBeLessThan(res.series.indexOf(cine))
    const unreadable = res.series[res.series.length - 1]
    expect(unreadable.key).toBe('unreadable')
    expect(unreadable.entries.map((e) => e.name)).toEqual(['broken-header.dcm'])
    expect(unreadable.entries[0].problem?.code).toBe('CORRUPT')
    expect(unreadable.entries[0].problem?.message).toContain(bad.brokenHeader)
    // Headers of files whose pixels are bad still read: they are listed in their series and fail on display.
    const broken = res.series.find((s) => s.key === `series:${BAD_SERIES_UID}`)!
    expect(broken.entries.map((e) => e.name)).toEqual(['truncated.dcm', 'no-pixels.dcm'])
    // README.txt and notes.dcm are not images; DICOMDIR, hidden files and symlinks are not looked at.
    expect(res.skipped).toBe(2)
    const all = res.series.flatMap((s) => s.entries.map((e) => e.path))
    expect(all.some((p) => p.includes('secret') || p.includes('linked-dir'))).toBe(false)
    expect(res.truncated).toBe(false)
  })

  it('lists a file opened on its own even when it is not an image, with the reason', async () => {
    const res = await api.imaging.openPaths({ paths: [bad.text] })
    expect(res.series).toHaveLength(1)
    expect(res.series[0].entries[0]).toMatchObject({ kind: 'unknown', problem: { code: 'UNSUPPORTED' } })
    expect(res.series[0].entries[0].problem!.message).toContain(bad.text)
  })

  it('refuses missing paths and invalid requests', async () => {
    await expect(api.imaging.openPaths({ paths: [path.join(data.dir, 'nope')] })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    await expect(api.imaging.openPaths({ paths: [] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(api.imaging.openPaths({ paths: ['a\u0000b'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})

describe('imaging.getFrame', () => {
  it('sends modality values (stored × slope + intercept) as a Float32Array with the file windows and units', async () => {
    await api.imaging.openPaths({ paths: [data.dir] })
    const f = await api.imaging.getFrame({ path: series[3], frame: 0 })
    expect(f.modality).toBeInstanceOf(Float32Array)
    expect(f.modality.length).toBe(32 * 48)
    expect([f.width, f.height, f.samplesPerPixel, f.frames, f.units]).toEqual([48, 32, 1, 1, 'HU'])
    for (const [x, y] of [
      [0, 0],
      [10, 20],
      [24, 16],
      [47, 31]
    ])
      expect(f.modality[y * 48 + x]).toBe(ctStored(x, y, 3, 48, 32))
    expect(f.windows.map((w) => [w.center, w.width])).toEqual(FILE_WINDOWS.map((w) => [w.center, w.width]))
    expect(f.windows[0].explanation).toBe('BRAIN')
    expect(f.integer).toBe(true)
    expect(f.min).toBe(Math.min(...f.modality))
    expect(f.max).toBe(Math.max(...f.modality))
    expect(f.pixelSpacing).toEqual([0.5, 0.5])
  })

  it('keeps the pixels intact across the browser bridge framing', async () => {
    const f = await api.imaging.getFrame({ path: series[1] })
    const { json, bins } = packBinary({ ok: true, value: f })
    const wire = JSON.parse(JSON.stringify(json))
    const buffers = bins.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice().buffer)
    const back = (unpackBinary(wire, buffers) as { value: typeof f }).value
    expect(back.modality).toBeInstanceOf(Float32Array)
    expect(Array.from(back.modality)).toEqual(Array.from(f.modality))
  })

  it('decodes each frame of a multi-frame file and refuses frames that do not exist', async () => {
    const f = await api.imaging.getFrame({ path: multi, frame: 4 })
    expect([f.frame, f.frames, f.width, f.height]).toEqual([4, 5, 24, 16])
    expect(f.modality[5 * 24 + 7]).toBe(ctStored(7, 5, 4, 24, 16))
    await expect(api.imaging.getFrame({ path: multi, frame: 5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('decodes PNG grey values unscaled', async () => {
    const f = await api.imaging.getFrame({ path: png })
    expect([f.width, f.height, f.samplesPerPixel, f.units]).toEqual([40, 30, 1, ''])
    expect(f.modality[7 * 40 + 11]).toBe((11 * 3 + 7) % 256)
  })

  it('explains bad files with the file name and a stable code', async () => {
    await api.imaging.openPaths({ paths: [path.join(data.dir, 'bad')] })
    const cases: [string, string, RegExp][] = [
      [bad.text, 'UNSUPPORTED', /not a DICOM, PNG or JPEG/],
      [bad.truncated, 'CORRUPT', /truncated/],
      [bad.noPixels, 'UNSUPPORTED', /no Pixel Data/],
      [bad.unsupported, 'UNSUPPORTED', /1\.2\.840\.10008\.1\.2\.4\.100.*not supported/],
      [bad.brokenHeader, 'CORRUPT', /does not parse/]
    ]
    for (const [file, code, reason] of cases) {
      const err = await api.imaging.getFrame({ path: file }).catch((e: unknown) => e as Error)
      expect(err, file).toMatchObject({ code })
      expect((err as Error).message, file).toContain(file)
      expect((err as Error).message, file).toMatch(reason)
    }
  })
})

describe('path grants', () => {
  it('refuses paths outside the opened roots, including ../ traversal and symlinks', async () => {
    const fresh = createCore(tempDir('ws2').dir, 'cli')
    const api2 = createApiClient(directTransport(fresh))
    try {
      await expect(api2.imaging.getFrame({ path: series[0] })).rejects.toMatchObject({ code: 'FORBIDDEN' })
      await api2.imaging.openPaths({ paths: [path.join(data.dir, 'ct')] })
      expect((await api2.imaging.getFrame({ path: series[0] })).width).toBe(48)
      const traversal = path.join(data.dir, 'ct') + '/../../' + path.relative(path.dirname(data.dir), secret)
      for (const p of [
        secret,
        traversal,
        path.join(data.dir, 'ct', 'link-to-secret.dcm'),
        path.join(data.dir, 'ct', '..', 'png', 'scan.png'),
        '/etc/passwd',
        path.join(outside.dir, 'does-not-exist.dcm')
      ]) {
        await expect(api2.imaging.getFrame({ path: p }), p).rejects.toMatchObject({ code: 'FORBIDDEN' })
        await expect(api2.imaging.getTags({ path: p }), p).rejects.toMatchObject({ code: 'FORBIDDEN' })
      }
      await expect(api2.imaging.getFrame({ path: path.join(data.dir, 'ct', 'gone.dcm') })).rejects.toMatchObject({
        code: 'NOT_FOUND'
      })
    } finally {
      fresh.close()
    }
  })
})

describe('imaging.getTags', () => {
  it('dumps DICOM elements and returns none for PNG', async () => {
    await api.imaging.openPaths({ paths: [data.dir] })
    const tags = await api.imaging.getTags({ path: series[0] })
    const byKeyword = new Map(tags.map((t) => [t.keyword, t]))
    expect(byKeyword.get('PatientID')?.value).toBe('VIEW-0001')
    expect(byKeyword.get('WindowCenter')).toMatchObject({ tag: '(0028,1050)', vr: 'DS', value: '40\\600' })
    expect(await api.imaging.getTags({ path: png })).toEqual([])
  })
})

describe('imaging.openBytes', () => {
  const toB64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')

  it('assembles a dropped file from chunks under cache/dropped and opens it', async () => {
    const bytes = ctSliceBytes({ rows: 400, columns: 700, slice: 2 })
    expect(bytes.length).toBeGreaterThan(MAX_DROP_CHUNK)
    let uploadId: string | undefined
    let opened = null
    for (let offset = 0; offset < bytes.length; offset += MAX_DROP_CHUNK) {
      const chunk = bytes.subarray(offset, offset + MAX_DROP_CHUNK)
      const r = await api.imaging.openBytes({
        uploadId,
        name: 'dropped.dcm',
        size: bytes.length,
        offset,
        data: toB64(chunk)
      })
      uploadId = r.uploadId
      expect(r.received).toBe(Math.min(bytes.length, offset + MAX_DROP_CHUNK))
      opened = r.opened
    }
    expect(opened).not.toBeNull()
    const file = opened!.roots[0]
    expect(file.startsWith(path.join(ws.dir, 'cache', 'dropped') + path.sep)).toBe(true)
    expect(Buffer.compare(fs.readFileSync(file), Buffer.from(bytes))).toBe(0)
    const f = await api.imaging.getFrame({ path: file })
    expect(f.modality[200 * 700 + 350]).toBe(ctStored(350, 200, 2, 700, 400))
  })

  it('refuses out-of-order, oversized and path-like uploads', async () => {
    const b64 = toB64(new Uint8Array(10))
    const first = await api.imaging.openBytes({ name: 'a.dcm', size: 20, offset: 0, data: b64 })
    expect(first.opened).toBeNull()
    await expect(
      api.imaging.openBytes({ uploadId: first.uploadId, name: 'a.dcm', size: 20, offset: 5, data: b64 })
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(
      api.imaging.openBytes({
        uploadId: first.uploadId,
        name: 'a.dcm',
        size: 20,
        offset: 10,
        data: toB64(new Uint8Array(11))
      })
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await expect(api.imaging.openBytes({ name: 'a.dcm', size: 20, offset: 10, data: b64 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT'
    })
    for (const name of ['../evil.dcm', 'sub/evil.dcm', 'a\\b']) {
      await expect(api.imaging.openBytes({ name, size: 10, offset: 0, data: b64 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT'
      })
    }
    await expect(
      api.imaging.openBytes({ name: 'big.dcm', size: 600 * 1024 * 1024, offset: 0, data: b64 })
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})
