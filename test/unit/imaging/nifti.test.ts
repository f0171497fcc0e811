import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src/shared/errors'
import { encodePng, renderWindowed } from '../../../src/main/imaging'
import {
  loadNiftiVolume,
  summariseVolume,
  volumeSlice,
  VOLUME_PLANES,
  type NiftiVolume
} from '../../../src/main/imaging/nifti'
import { scratchDir } from '../../fixtures/dicom/corpus'
import { makeVolumes, type NiftiCase } from '../../fixtures/nifti/volumes'

/**
 * NIfTI-1/-2 volumes written by nibabel in every supported data type, with sform, qform, pixdim-only,
 * scaling, gzip, .hdr/.img and 4-D variants. nibabel states the expected dims, voxel sizes, orientation code,
 * scaled statistics and each plane's middle slice; the reader must agree.
 */

const scratch = scratchDir('nifti')
let cases: NiftiCase[] = []
const volumes = new Map<string, NiftiVolume>()

beforeAll(async () => {
  cases = makeVolumes(scratch.dir)
  for (const c of cases) volumes.set(c.name, await loadNiftiVolume(scratch.file(c.file)))
}, 120_000)
afterAll(() => scratch.cleanup())

/** Relative closeness for values that went through float32 (the reader's modality array). */
function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected))
}

describe('NIfTI reader against nibabel', () => {
  it('generates the full matrix of cases', () => {
    expect(cases.map((c) => c.dtype).sort()).toEqual(
      ['float32', 'float64', 'int16', 'int16', 'int16', 'int32', 'int8', 'rgb24', 'uint16', 'uint8'].sort()
    )
    expect(cases.some((c) => c.sform_code === 0 && c.qform_code > 0)).toBe(true)
    expect(cases.some((c) => c.sform_code > 0 && c.qform_code > c.sform_code)).toBe(true)
    expect(cases.some((c) => c.sform_code === 0 && c.qform_code === 0)).toBe(true)
    expect(cases.some((c) => c.version === 2)).toBe(true)
  })

  it('reads dims, voxel size, data type and orientation code', () => {
    for (const c of cases) {
      const s = summariseVolume(volumes.get(c.name)!)
      expect(s.dims, c.name).toEqual(c.dims)
      expect(s.volumes, c.name).toBe(c.volumes)
      s.voxelSizeMm.forEach((z, k) => expect(close(z, c.zooms[k]), `${c.name} zoom ${k}`).toBe(true))
      expect(s.dataType, c.name).toBe(c.dtype)
      expect(s.orientation, c.name).toBe(c.axcodes)
      expect(s.format, c.name).toBe(`NIfTI-${c.version}`)
      const source = c.sform_code > 0 ? 'sform' : c.qform_code > 0 ? 'qform' : 'pixdim'
      expect(s.orientationSource, c.name).toBe(source)
    }
  })

  it('scales values with scl_slope/scl_inter: min, max, mean match nibabel', () => {
    for (const c of cases) {
      const s = summariseVolume(volumes.get(c.name)!)
      expect(close(s.stats.min, c.min), `${c.name} min ${s.stats.min} vs ${c.min}`).toBe(true)
      expect(close(s.stats.max, c.max), `${c.name} max ${s.stats.max} vs ${c.max}`).toBe(true)
      expect(close(s.stats.mean, c.mean), `${c.name} mean ${s.stats.mean} vs ${c.mean}`).toBe(true)
      expect(s.stats.nonFinite, c.name).toBe(c.nonFinite)
    }
    const scaled = summariseVolume(volumes.get('i16-lps-scaled')!)
    expect(scaled.scaling).toEqual({ slope: 2, intercept: -100 })
  })

  it('cuts the middle slice of every plane like nibabel, with spacing and edge labels', () => {
    for (const c of cases) {
      const v = volumes.get(c.name)!
      for (const plane of VOLUME_PLANES) {
        const want = c.planes[plane]
        const { image, geometry } = volumeSlice(v, plane, want.index)
        const label = `${c.name} ${plane}`
        expect([image.width, image.height, geometry.slices], label).toEqual([want.width, want.height, want.slices])
        expect(
          geometry.pixelSpacing.map((x) => Math.round(x * 1e5) / 1e5),
          label
        ).toEqual(want.spacing.map((x) => Math.round(x * 1e5) / 1e5))
        const { left, right, top, bottom } = geometry.labels
        expect([left, right, top, bottom], label).toEqual(want.labels)
        expect(image.modality.length, label).toBe(want.values.length)
        let bad = 0
        want.values.forEach((x, i) => {
          const got = image.modality[i]
          if (x === null ? !Number.isNaN(got) : !close(got, x)) bad++
        })
        expect(bad, `${label}: ${bad} of ${want.values.length} values differ`).toBe(0)
      }
    }
  })

  it('renders each plane to a PNG of the plane’s size holding the windowed slice', async () => {
    const v = volumes.get('i32-qform-permuted')!
    for (const plane of VOLUME_PLANES) {
      const { image } = volumeSlice(v, plane, 2)
      const { data, info } = await sharp(await encodePng(image))
        .toColourspace('b-w')
        .raw()
        .toBuffer({ resolveWithObject: true })
      expect([info.width, info.height, info.channels]).toEqual([image.width, image.height, 1])
      expect(Buffer.compare(data, Buffer.from(renderWindowed(image)))).toBe(0)
      // Not flat: the window spreads the ramp over the grey scale.
      expect(new Set(data).size).toBeGreaterThan(5)
    }
  })

  it('keeps one window per volume while scrolling, from the 1–99 % band', () => {
    const v = volumes.get('i16-lps-scaled')!
    const a = volumeSlice(v, 'axial', 0).image.windows
    const b = volumeSlice(v, 'axial', 10).image.windows
    expect(a).toBe(b)
    expect(a[0].center - a[0].width / 2).toBeGreaterThan(-1898)
    expect(a[0].center + a[0].width / 2).toBeLessThan(2902)
  })

  it('refuses a slice that does not exist, naming file, plane and count', () => {
    const v = volumes.get('u8-ras')!
    expect(() => volumeSlice(v, 'sagittal', 7)).toThrow(/u8-ras\.nii: sagittal slice 7 does not exist \(7 slices/)
  })
})

/** Copies a generated case's bytes, decompressed, for patching. */
function rawCase(name: string): Buffer {
  const c = cases.find((x) => x.name === name)!
  const bytes = fs.readFileSync(scratch.file(c.file))
  return c.file.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes
}

async function refusal(file: string): Promise<AppError> {
  try {
    await loadNiftiVolume(file)
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error(`${file} was accepted`)
}

describe('NIfTI bad input: clear errors naming the file and the field', () => {
  it('a truncated .nii.gz', async () => {
    const gz = fs.readFileSync(scratch.file('i16-lps-scaled.nii.gz'))
    const file = scratch.file('truncated.nii.gz')
    fs.writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)))
    const err = await refusal(file)
    expect(err.code).toBe('CORRUPT')
    expect(err.message).toContain(file)
    expect(err.message).toMatch(/truncated \.gz.*vox_offset.*dim/)
    // Cut inside the header itself.
    fs.writeFileSync(file, zlib.gzipSync(rawCase('u8-ras').subarray(0, 200)))
    expect((await refusal(file)).message).toMatch(
      /truncated\.nii\.gz: holds only 200 bytes|truncated before the end of the NIfTI header/
    )
  })

  it('dims whose product overflows the size limit, and a negative dim', async () => {
    const raw = rawCase('u8-ras')
    raw.writeInt16LE(32767, 42)
    raw.writeInt16LE(32767, 44)
    raw.writeInt16LE(32767, 46)
    const file = scratch.file('huge.nii')
    fs.writeFileSync(file, raw)
    const err = await refusal(file)
    expect(err.code).toBe('UNSUPPORTED')
    expect(err.message).toMatch(/huge\.nii: NIfTI header field dim declares 32767×32767×32767/)
    raw.writeInt16LE(-5, 44)
    fs.writeFileSync(file, raw)
    expect((await refusal(file)).message).toMatch(/huge\.nii: NIfTI header field dim\[2\] is -5/)
  })

  it('dims larger than the data', async () => {
    const raw = rawCase('u8-ras')
    raw.writeInt16LE(70, 42)
    const file = scratch.file('short.nii')
    fs.writeFileSync(file, raw)
    const err = await refusal(file)
    expect(err.code).toBe('CORRUPT')
    expect(err.message).toMatch(/short\.nii: NIfTI header field dim does not fit the data/)
  })

  it('a wrong vox_offset, beyond the data and before the header end', async () => {
    const raw = rawCase('i32-qform-permuted')
    raw.writeFloatLE(4096, 108)
    const file = scratch.file('offset.nii')
    fs.writeFileSync(file, raw)
    const err = await refusal(file)
    expect(err.code).toBe('CORRUPT')
    expect(err.message).toMatch(/offset\.nii: NIfTI header field vox_offset does not fit the data: vox_offset 4096/)
    raw.writeFloatLE(100, 108)
    fs.writeFileSync(file, raw)
    expect((await refusal(file)).message).toMatch(/offset\.nii: NIfTI header field vox_offset is 100/)
  })

  it('an unsupported data type and a bitpix that contradicts it', async () => {
    const raw = rawCase('u8-ras')
    raw.writeInt16LE(32, 70) // complex64
    raw.writeInt16LE(64, 72)
    const file = scratch.file('complex.nii')
    fs.writeFileSync(file, raw)
    const err = await refusal(file)
    expect(err.code).toBe('UNSUPPORTED')
    expect(err.message).toMatch(/complex\.nii: NIfTI header field datatype is 32/)
    const raw2 = rawCase('u8-ras')
    raw2.writeInt16LE(16, 72)
    fs.writeFileSync(file, raw2)
    expect((await refusal(file)).message).toMatch(
      /complex\.nii: NIfTI header field bitpix is 16, but datatype uint8 has 8/
    )
  })

  it('a missing .img half and a file that is not NIfTI', async () => {
    fs.copyFileSync(scratch.file('pair-u16.hdr'), scratch.file('lonely.hdr'))
    const err = await refusal(scratch.file('lonely.hdr'))
    expect(err.code).toBe('NOT_FOUND')
    expect(err.message).toMatch(/lonely\.hdr: the \.img file of this \.hdr\/\.img pair is missing/)
    fs.writeFileSync(scratch.file('text.nii'), Buffer.alloc(400, 65))
    expect((await refusal(scratch.file('text.nii'))).message).toMatch(/text\.nii: not a NIfTI file/)
  })
})

describe('neuropath volume', () => {
  const cli = path.resolve(__dirname, '../../../bin/neuropath.mjs')
  beforeAll(() => {
    if (!fs.existsSync(path.resolve(__dirname, '../../../out/main/cli.js')))
      execFileSync('npx', ['electron-vite', 'build'])
  }, 120_000)

  it('prints the summary as JSON and writes a plane as PNG', async () => {
    const c = cases.find((x) => x.name === 'nifti2-i16')!
    const png = scratch.file('coronal.png')
    const args = [
      cli,
      'volume',
      scratch.file(c.file),
      '--json',
      '--plane',
      'coronal',
      '--slice',
      String(c.planes.coronal.index),
      '--png',
      png
    ]
    const res = spawnSync(process.execPath, args, { encoding: 'utf8' })
    expect(res.status, res.stderr).toBe(0)
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!)
    expect(out).toMatchObject({ dims: c.dims, dataType: 'int16', orientation: c.axcodes, volumes: 1 })
    expect(close(out.stats.mean, c.mean)).toBe(true)
    const meta = await sharp(png).metadata()
    expect([meta.width, meta.height]).toEqual([c.planes.coronal.width, c.planes.coronal.height])
  })

  it('human output names every fact; a bad file exits 2 naming it; a bad plane is a usage error', () => {
    const ok = spawnSync(process.execPath, [cli, 'volume', scratch.file('u8-ras.nii')], { encoding: 'utf8' })
    expect(ok.status).toBe(0)
    for (const word of [
      'dimensions       7 × 9 × 11',
      'voxel size',
      'uint8',
      'orientation      RAS (from the sform)',
      'scaled values'
    ])
      expect(ok.stdout).toContain(word)
    fs.writeFileSync(scratch.file('bad.nii.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]))
    const bad = spawnSync(process.execPath, [cli, 'volume', scratch.file('bad.nii.gz')], { encoding: 'utf8' })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain(scratch.file('bad.nii.gz'))
    const usage = spawnSync(
      process.execPath,
      [cli, 'volume', scratch.file('u8-ras.nii'), '--plane', 'oblique', '--png', 'x.png'],
      {
        encoding: 'utf8'
      }
    )
    expect(usage.status).toBe(1)
    expect(usage.stderr).toMatch(/--plane oblique is not one of axial, coronal, sagittal/)
  })
})
