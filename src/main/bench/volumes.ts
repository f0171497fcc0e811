import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { importFolder } from '../datasets'
import { toFrameData } from '../imaging/files/frame-cache'
import { loadNiftiVolume, volumeSlice, type VolumePlane } from '../imaging/nifti'
import { Workspace } from '../workspace/workspace'

/**
 * Volume benchmarks on a synthetic 256×256×180 int16 NIfTI-1 .nii.gz (a head-sized ellipsoid with texture):
 * opening it and cutting the first axial slice ready for display (target ≤ 1 s), and switching planes on the
 * open volume (target ≤ 50 ms per switch); and importing 20 such volumes (different noise each) into a dataset
 * as axial slices, 3,600 items with thumbnails and dHash (target ≥ 200 slices/s, wall clock of `importFolder`
 * on the catalog of a fresh workspace). Throws when a target is missed, so `npm run bench` fails.
 */

const DIMS = [256, 256, 180] as const

/** A minimal NIfTI-1 single file: 348-byte header, 4-byte extension flag, int16 voxels; sform RAS, 1×1×1.2 mm. */
function niftiBytes(seed = 17): Buffer {
  const [nx, ny, nz] = DIMS
  const h = Buffer.alloc(352)
  h.writeInt32LE(348, 0)
  ;[3, nx, ny, nz, 1, 1, 1, 1].forEach((d, k) => h.writeInt16LE(d, 40 + 2 * k))
  h.writeInt16LE(4, 70) // datatype int16
  h.writeInt16LE(16, 72) // bitpix
  ;[1, 1, 1, 1.2, 0, 0, 0, 0].forEach((d, k) => h.writeFloatLE(d, 76 + 4 * k))
  h.writeFloatLE(352, 108) // vox_offset
  h.writeFloatLE(1, 112) // scl_slope
  h.writeUInt8(2, 123) // xyzt_units: mm
  h.writeInt16LE(1, 254) // sform_code
  ;[1, 0, 0, -128, 0, 1, 0, -128, 0, 0, 1.2, -108].forEach((v, k) => h.writeFloatLE(v, 280 + 4 * k))
  h.write('n+1\0', 344, 'latin1')
  const voxels = new Int16Array(nx * ny * nz)
  let s = seed
  for (let k = 0, p = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, p++) {
        s = (Math.imul(s, 48271) >>> 0) % 0x7fffffff
        const r = ((i - 128) / 100) ** 2 + ((j - 128) / 120) ** 2 + ((k - 90) / 80) ** 2
        voxels[p] = r < 1 ? 600 + ((i + 2 * j + 3 * k) % 300) + (s & 63) : s & 15
      }
  return Buffer.concat([h, Buffer.from(voxels.buffer)])
}

async function timeIt<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now()
  const r = await fn()
  return [r, performance.now() - t]
}

export async function benchVolumes(): Promise<Record<string, number | string>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'np-bench-volumes-'))
  const out: Record<string, number | string> = { volume: `${DIMS.join('x')} int16 .nii.gz` }
  try {
    const file = path.join(dir, 'head.nii.gz')
    const gz = zlib.gzipSync(niftiBytes(), { level: 6 })
    await writeFile(file, gz)
    out.fileMB = Math.round((gz.length / 2 ** 20) * 10) / 10
    out.loadAverage1m = Math.round(os.loadavg()[0] * 100) / 100
    // What the viewer does on open: read and inflate the volume, cut the first axial slice, pack it for display.
    const [volume, openMs] = await timeIt(async () => {
      const v = await loadNiftiVolume(file)
      toFrameData(file, volumeSlice(v, 'axial', 0).image)
      return v
    })
    out.openFirstSliceMs = Math.round(openMs)
    const planes: VolumePlane[] = ['coronal', 'sagittal', 'axial']
    const switches = 30
    const [, switchMs] = await timeIt(() => {
      for (let n = 0; n < switches; n++) {
        const plane = planes[n % 3]
        toFrameData(file, volumeSlice(volume, plane, 60 + n).image)
      }
    })
    out.planeSwitchMs = Math.round((switchMs / switches) * 100) / 100
    const missed: string[] = []
    Object.assign(out, await benchImport(dir, missed))
    if (openMs > 1000) missed.push(`open + first slice took ${Math.round(openMs)} ms (target ≤ 1000)`)
    if (switchMs / switches > 50) missed.push(`a plane switch took ${out.planeSwitchMs} ms (target ≤ 50)`)
    if (missed.length) throw new Error(missed.join('; '))
    return out
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const IMPORT_VOLUMES = 20

/** Imports IMPORT_VOLUMES volumes (10 per class folder) as axial slices; figures and missed targets. */
async function benchImport(dir: string, missed: string[]): Promise<Record<string, number>> {
  const data = path.join(dir, 'data')
  for (let v = 0; v < IMPORT_VOLUMES; v++) {
    const cls = path.join(data, v % 2 ? 'b' : 'a')
    await mkdir(cls, { recursive: true })
    await writeFile(path.join(cls, `vol${v}.nii.gz`), zlib.gzipSync(niftiBytes(1000 + v), { level: 1 }))
  }
  const ws = Workspace.open(path.join(dir, 'ws'))
  try {
    const cpu0 = process.cpuUsage()
    const load = os.loadavg()[0]
    const [r, ms] = await timeIt(() => importFolder(ws.db, { dataset: 'volumes', root: data, cacheDir: ws.cacheDir }))
    const cpu = process.cpuUsage(cpu0)
    const cpuSeconds = (cpu.user + cpu.system) / 1e6
    const want = IMPORT_VOLUMES * DIMS[2]
    if (r.imported !== want)
      throw new Error(`benchVolumes: imported ${r.imported} of ${want} slices (${r.failed} failed)`)
    const rate = Math.round(want / (ms / 1000))
    if (rate < 200) {
      missed.push(
        `import ran at ${rate} slices/s (target ≥ 200): ${want} slices in ${(ms / 1000).toFixed(1)} s wall, ` +
          `${cpuSeconds.toFixed(1)} CPU s, load average ${load.toFixed(2)}`
      )
    }
    // CPU seconds of this process (main thread plus libuv pool) beside wall clock: on a shared machine the
    // wall-clock rate falls with the load average, the CPU cost per slice does not.
    return {
      importVolumes: IMPORT_VOLUMES,
      importSlices: want,
      importSeconds: Math.round(ms / 100) / 10,
      importSlicesPerSecond: rate,
      importCpuSeconds: Math.round(cpuSeconds * 10) / 10,
      importLoadAverage1m: Math.round(load * 100) / 100
    }
  } finally {
    ws.close()
  }
}
