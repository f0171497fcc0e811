import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../../src/main/cli'
import { ctStored, FILE_WINDOWS, tempDir, writeBadFiles, writeCtSlice, writePng } from './fixtures'

/** Runs the CLI in-process and captures what it writes to stdout and stderr. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (stdout += String(chunk)),
    true
  )) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (stderr += String(chunk)),
    true
  )) as typeof process.stderr.write
  try {
    const code = await main(argv)
    return { code, stdout, stderr }
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
}

const t = tempDir('cli')
let ct = ''
let multi = ''
let png = ''
let bad: ReturnType<typeof writeBadFiles>

beforeAll(async () => {
  ct = writeCtSlice(t.dir, 'ct.dcm', { rows: 20, columns: 30, slice: 4, windows: FILE_WINDOWS })
  multi = writeCtSlice(t.dir, 'multi.dcm', { rows: 8, columns: 8, slice: 0, frames: 3 })
  png = await writePng(t.dir, 'plain.png', 10, 10)
  bad = writeBadFiles(path.join(t.dir, 'bad'))
})
afterAll(() => t.cleanup())

describe('neuropath dicom', () => {
  it('prints dicomSummary as JSON', async () => {
    const r = await run(['dicom', ct, '--json'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const lines = r.stdout.trim().split('\n')
    const s = JSON.parse(lines[lines.length - 1])
    expect(s).toMatchObject({
      file: ct,
      transferSyntaxUID: '1.2.840.10008.1.2.1',
      rows: 20,
      columns: 30,
      frames: 1,
      frame: 0,
      bitsAllocated: 16,
      bitsStored: 16,
      pixelRepresentation: 1,
      photometricInterpretation: 'MONOCHROME2',
      rescaleSlope: 1,
      rescaleIntercept: -1024,
      units: 'HU',
      window: { center: 40, width: 80 }
    })
    expect(s.windows).toHaveLength(2)
    expect(s.pixels.sha256).toMatch(/^[0-9a-f]{64}$/)
    // Statistics are over stored values: modality + 1024.
    let min = Infinity
    for (let y = 0; y < 20; y++) for (let x = 0; x < 30; x++) min = Math.min(min, ctStored(x, y, 4, 30, 20))
    expect(s.pixels.min).toBe(min + 1024)
  })

  it('summarises the requested frame and prints a human summary without --json', async () => {
    const f0 = JSON.parse((await run(['dicom', multi, '--json'])).stdout.trim())
    const f2 = JSON.parse((await run(['dicom', multi, '--frame', '2', '--json'])).stdout.trim())
    expect([f0.frame, f2.frame, f2.frames]).toEqual([0, 2, 3])
    expect(f2.pixels.sha256).not.toBe(f0.pixels.sha256)
    const human = await run(['dicom', ct])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('30 × 20 px, frame 1 of 1')
    expect(human.stdout).toContain('C 40 / W 80 (BRAIN)')
  })

  it('writes the default-windowed render with --png', async () => {
    const out = path.join(t.dir, 'render.png')
    const r = await run(['dicom', ct, '--png', out, '--json'])
    expect(r.code).toBe(0)
    const meta = await sharp(out).metadata()
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 30, 20, 1])
    const data = await sharp(out).toColourspace('b-w').raw().toBuffer()
    // Brain window C 40 / W 80, DICOM LINEAR: below 0 HU is black, above 79 HU white, in between a ramp.
    for (let i = 0; i < 30 * 20; i++) {
      const v = ctStored(i % 30, Math.floor(i / 30), 4, 30, 20)
      const expected = v <= 0 ? 0 : v > 79 ? 255 : Math.round(((v - 39.5) / 79 + 0.5) * 255)
      expect(data[i], `pixel ${i} (${v} HU)`).toBe(expected)
    }
  })

  it.each([
    ['not DICOM', () => bad.text],
    ['truncated', () => bad.truncated],
    ['no pixel data', () => bad.noPixels],
    ['unsupported transfer syntax', () => bad.unsupported],
    ['PNG', () => png],
    ['missing', () => path.join(t.dir, 'missing.dcm')]
  ])('fails with exit code 2 and one line naming the file: %s', async (_label, file) => {
    const r = await run(['dicom', file()])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    const lines = r.stderr.split('\n').filter(Boolean)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(file())
  })

  it('fails with 2 for a frame that does not exist and with 1 for usage mistakes', async () => {
    const frame = await run(['dicom', multi, '--frame', '3'])
    expect(frame.code).toBe(2)
    expect(frame.stderr.trim().split('\n')).toHaveLength(1)
    expect(frame.stderr).toContain(multi)
    expect((await run(['dicom'])).code).toBe(1)
    expect((await run(['dicom', ct, '--frame', '-1'])).code).toBe(1)
    expect((await run(['dicom', ct, '--bogus'])).code).toBe(1)
    expect(fs.existsSync(path.join(t.dir, 'nothing.png'))).toBe(false)
  })
})
