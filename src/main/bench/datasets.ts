import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { findLeakage, importFolder, listItems, splitDataset } from '../datasets'
import { BoundedPool } from '../datasets/import/bounded-pool'
import { encodeDicom } from '../imaging'
import { Workspace } from '../workspace/workspace'

const PNG_FILES = 10_000
const PNG_SIZE = 256
const CLASSES = 4
const DICOM_FILES = 400

/** NEUROPATH_BENCH_VERBOSE=1 prints each phase's duration to stderr. */
const phase = (name: string, since: number) => {
  if (process.env.NEUROPATH_BENCH_VERBOSE)
    process.stderr.write(`benchDatasets: ${name} ${Math.round(performance.now() - since)} ms\n`)
}

/**
 * Dataset curation figures on this machine:
 * - import of 10,000 256×256 8-bit grey PNGs (colour type 0, as scanner exports are): hash, header, thumbnail,
 *   dHash and catalog rows; files/s and peak RSS sampled during the import (target ≥ 200 files/s and
 *   ≤ 500 MB on 2 cores);
 * - a re-import of the same folder (nothing new: size+mtime skip);
 * - 400 DICOM files (256×256, 16-bit) to show the DICOM path's rate;
 * - listing, splitting and leakage on a 20,000-item dataset (the 10,000 items twice).
 * The PNGs are generated with sharp first (not timed): smooth class patterns plus per-file noise, so every file
 * has its own bytes.
 */
export async function benchDatasets(): Promise<Record<string, number | string>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-ds-'))
  const data = path.join(root, 'data')
  const ws = Workspace.open(path.join(root, 'ws'))
  try {
    const t0 = performance.now()
    await generatePngs(data)
    const generateSeconds = (performance.now() - t0) / 1000
    phase('generate', t0)

    const sampler = rssSampler()
    const cpu0 = process.cpuUsage()
    const r = await importFolder(ws.db, { dataset: 'bench', root: data, cacheDir: ws.cacheDir })
    const cpu = process.cpuUsage(cpu0)
    const peakMb = sampler.stop()
    phase('import', t0 + generateSeconds * 1000)
    if (r.imported !== PNG_FILES) throw new Error(`benchDatasets: imported ${r.imported} of ${PNG_FILES} PNGs`)

    const t1 = performance.now()
    const again = await importFolder(ws.db, { dataset: 'bench', root: data, cacheDir: ws.cacheDir })
    const reimportSeconds = (performance.now() - t1) / 1000
    phase('reimport', t1)

    const dicomDir = path.join(root, 'dicom')
    writeDicoms(dicomDir)
    const d = await importFolder(ws.db, { dataset: 'bench-dicom', root: dicomDir, cacheDir: ws.cacheDir })
    phase('dicom', t1 + reimportSeconds * 1000)

    // 20,000 items: the same files a second time under other paths.
    ws.db.exec(`INSERT INTO dataset_items (dataset_id, class_id, folder_class, path, rel_path, import_id, sha256, size,
      mtime_ms, kind, width, height, frames, dhash, created_at)
      SELECT dataset_id, class_id, folder_class, path || '.copy', rel_path || '.copy', import_id, sha256, size, mtime_ms,
      kind, width, height, frames, dhash, created_at FROM dataset_items WHERE dataset_id = ${r.datasetId}`)
    const classId = (
      ws.db.prepare('SELECT id FROM dataset_classes WHERE dataset_id = ? LIMIT 1').get(r.datasetId) as { id: number }
    ).id
    const page = { datasetId: r.datasetId, orderBy: 'id' as const, desc: false, offset: 0, limit: 100 }
    const timeMs = (fn: () => unknown, reps = 5) => {
      const t = performance.now()
      for (let i = 0; i < reps; i++) fn()
      return round((performance.now() - t) / reps, 1)
    }
    const t2 = performance.now()
    const split = splitDataset(ws.db, r.datasetId, {
      val: 0.15,
      test: 0.15,
      seed: 42,
      groupBy: { kind: 'folder', level: 1 }
    })
    const splitMs = performance.now() - t2
    phase('split', t2)
    const t3 = performance.now()
    const leakCpu0 = process.cpuUsage()
    const leak = await findLeakage(ws.db, r.datasetId, { threshold: 6, cacheDir: ws.cacheDir })
    const leakCpu = process.cpuUsage(leakCpu0)
    const leakageMs = performance.now() - t3
    phase('leakage', t3)
    // Issue #15's budget for the leakage scan (dHash candidates plus the pixel check) at 20,000 items. The CPU
    // time (all threads) is stated too: on a loaded machine the wall time says more about the load.
    if (leakageMs > 10_000)
      throw new Error(
        `leakage scan of 20,000 items took ${round(leakageMs)} ms (budget 10,000); CPU ${round((leakCpu.user + leakCpu.system) / 1000)} ms, load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`
      )

    return {
      'import.png.files': r.imported,
      'import.png.filesPerSecond': round(PNG_FILES / r.seconds),
      // CPU time of the whole process (main thread + libuv pool) per file: independent of other load on the
      // machine; 2 cores / this figure bounds the rate an idle 2-core machine can reach.
      'import.png.cpuMsPerFile': round((cpu.user + cpu.system) / 1000 / PNG_FILES, 2),
      'import.png.peakRssMB': peakMb,
      'process.maxRssMB': Math.round(process.resourceUsage().maxRSS / 1024),
      'import.png.generateSeconds': round(generateSeconds, 1),
      'reimport.png.skipped': again.skipped,
      'reimport.png.filesPerSecond': round(PNG_FILES / reimportSeconds),
      'import.dicom256.files': d.imported,
      'import.dicom256.filesPerSecond': round(d.imported / d.seconds),
      'items20k.listPageMs': timeMs(() => listItems(ws.db, page)),
      'items20k.listPageByPathMs': timeMs(() => listItems(ws.db, { ...page, orderBy: 'path', offset: 15_000 })),
      'items20k.listClassSplitMs': timeMs(() =>
        listItems(ws.db, { ...page, classId, split: 'train', orderBy: 'size' })
      ),
      'items20k.listConflictFlagMs': timeMs(() => listItems(ws.db, { ...page, flag: 'conflict' })),
      'items20k.listSearchMs': timeMs(() => listItems(ws.db, { ...page, search: 'p0042/' })),
      'items20k.splitMs': round(splitMs),
      'items20k.splitGroups': split.groups,
      'items20k.leakageMs': round(leakageMs),
      'items20k.leakageCpuMs': round((leakCpu.user + leakCpu.system) / 1000),
      'items20k.leakageNearFindings': leak.near.length,
      'items20k.leakageCandidatePairs': leak.candidatePairs,
      'items20k.leakageRejectedPairs': leak.rejectedPairs,
      cpus: os.cpus().length
    }
  } finally {
    ws.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
}

/** 10,000 PNGs in CLASSES class folders, each holding patient folders of (about) 10 images. */
async function generatePngs(dir: string): Promise<void> {
  const bases = Array.from({ length: CLASSES }, (_, c) => smooth(PNG_SIZE, c + 1))
  const pool = new BoundedPool(4)
  const made = new Set<string>()
  for (let i = 0; i < PNG_FILES; i++) {
    const cls = i % CLASSES
    const patient = `p${String(Math.floor(i / (10 * CLASSES))).padStart(4, '0')}`
    const file = path.join(dir, `class${cls}`, patient, `img${i}.png`)
    if (!made.has(path.dirname(file))) {
      fs.mkdirSync(path.dirname(file), { recursive: true })
      made.add(path.dirname(file))
    }
    const px = Buffer.from(bases[cls])
    let s = (i * 2654435761) >>> 0
    const shift = (i % 97) - 48
    for (let p = 0; p < px.length; p++) {
      s = (s * 1664525 + 1013904223) >>> 0
      const v = px[p] + ((s >>> 29) - 4) + ((p >> 8) * shift) / 256
      px[p] = v < 0 ? 0 : v > 255 ? 255 : v
    }
    await pool.run(async () => {
      await sharp(px, { raw: { width: PNG_SIZE, height: PNG_SIZE, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(file)
    })
  }
  await pool.drain()
}

/** A smooth grey pattern, different per seed. */
function smooth(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size * size)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v =
        Math.sin((x * seed) / 23) * Math.cos((y * (5 - seed)) / 31) +
        Math.exp(-((x - 128) ** 2 + (y - 128) ** 2) / (900 * seed))
      out[y * size + x] = Math.round(110 + 60 * v)
    }
  }
  return out
}

/** 256×256 16-bit MR images, 2 classes, 10 patients each. */
function writeDicoms(dir: string): void {
  const pixels = new Uint16Array(256 * 256)
  for (let i = 0; i < DICOM_FILES; i++) {
    for (let p = 0; p < pixels.length; p++) pixels[p] = ((p * (i + 3)) ^ (p >> 8)) & 0xfff
    const cls = i % 2
    const patient = `P${cls}${Math.floor(i / 40)}`
    const file = path.join(dir, `class${cls}`, patient, `im${i}`)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const uid = `1.2.826.0.1.3680043.10.1419.77.${i}`
    fs.writeFileSync(
      file,
      encodeDicom([
        { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
        { tag: 0x00080018, vr: 'UI', value: uid },
        { tag: 0x00080060, vr: 'CS', value: 'MR' },
        { tag: 0x00100020, vr: 'LO', value: patient },
        { tag: 0x0020000d, vr: 'UI', value: `${uid}.1` },
        { tag: 0x0020000e, vr: 'UI', value: `${uid}.2` },
        { tag: 0x00200013, vr: 'IS', value: i },
        { tag: 0x00280002, vr: 'US', value: 1 },
        { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
        { tag: 0x00280010, vr: 'US', value: 256 },
        { tag: 0x00280011, vr: 'US', value: 256 },
        { tag: 0x00280100, vr: 'US', value: 16 },
        { tag: 0x00280101, vr: 'US', value: 12 },
        { tag: 0x00280102, vr: 'US', value: 11 },
        { tag: 0x00280103, vr: 'US', value: 0 },
        { tag: 0x7fe00010, vr: 'OW', value: pixels }
      ])
    )
  }
}

/** Samples resident memory every 20 ms until stopped; returns the peak in MB. */
function rssSampler(): { stop: () => number } {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20)
  return {
    stop: () => {
      clearInterval(timer)
      return Math.round(Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024)
    }
  }
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
