import fs from 'node:fs/promises'
import path from 'node:path'
import type { ExportResult, Split } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { BoundedPool } from '../import/bounded-pool'
import { requireDataset } from '../store/datasets-store'
import { readVersion } from '../versions/read-version'
import { toCsv } from './csv'

interface ExportItem {
  itemId: number
  path: string
  label: string
  split: Split | null
  sha256: string
  kind: string
  width: number
  height: number
  patientId: string | null
  /** 0-based DICOM frame or volume slice. */
  frame: number
  /** Volume slices: the plane `frame` counts along. */
  plane: string | null
}

/** `frame` and `plane` say which DICOM frame or volume slice of the file an item is (several items share a file). */
const HEADER = [
  'item_id',
  'split',
  'label',
  'path',
  'sha256',
  'kind',
  'width',
  'height',
  'patient_id',
  'frame',
  'plane'
]

/** One manifest line in HEADER's order; `file` is the source path (CSV layout) or the exported file's relative path. */
function manifestRow(i: ExportItem, file: string): (string | number | null)[] {
  return [
    i.itemId,
    i.split ?? 'unassigned',
    i.label,
    file,
    i.sha256,
    i.kind,
    i.width,
    i.height,
    i.patientId,
    i.frame,
    i.plane ?? ''
  ]
}

/**
 * Exports a dataset's included items — of a frozen version, or the current state — either as a folder tree
 * `dest/<split>/<label>/<file name>` (copies or absolute symlinks, split 'unassigned' for unsplit items, a
 * clashing name gets "-<item id>" before its extension) with `dest/manifest.csv`, or as a single CSV manifest
 * file at `dest`. Never overwrites: the folder must be new or empty, the CSV file must not exist. Every source
 * file is checked before anything is written.
 */
export async function exportDataset(
  db: Catalog,
  req: { datasetId: number; versionId?: number; dest: string; layout: 'copy' | 'symlink' | 'csv' }
): Promise<ExportResult> {
  const items = exportItems(db, req.datasetId, req.versionId)
  const dest = path.resolve(req.dest)
  if (req.layout === 'csv') {
    await fs.mkdir(path.dirname(dest), { recursive: true })
    await writeNew(
      dest,
      toCsv(
        HEADER,
        items.map((i) => manifestRow(i, i.path))
      )
    )
    return { dest, layout: 'csv', items: items.length, bytes: 0, manifest: dest }
  }
  await requireEmptyFolder(dest)
  await requireSources(items)
  const taken = new Set<string>()
  // The slices of a volume and the frames of a multi-frame file are one file: written once per folder.
  const placed = new Map<string, string>()
  const planned = items.map((i) => {
    const dir = path.join(dest, i.split ?? 'unassigned', safeName(i.label))
    const same = placed.get(`${dir}\u0000${i.path}`)
    if (same) return { item: i, target: same, shared: true }
    const base = path.basename(i.path)
    let target = path.join(dir, base)
    if (taken.has(target.toLowerCase())) {
      const ext = path.extname(base)
      target = path.join(dir, `${base.slice(0, base.length - ext.length)}-${i.itemId}${ext}`)
    }
    taken.add(target.toLowerCase())
    placed.set(`${dir}\u0000${i.path}`, target)
    return { item: i, target, shared: false }
  })
  for (const dir of new Set(planned.map((p) => path.dirname(p.target)))) await fs.mkdir(dir, { recursive: true })
  let bytes = 0
  const pool = new BoundedPool(8)
  const failures: string[] = []
  for (const p of planned) {
    if (p.shared) continue
    await pool.run(async () => {
      try {
        for (const [from, to] of await withPairHalf(p.item.path, p.target)) {
          if (req.layout === 'symlink') await fs.symlink(from, to)
          else {
            await fs.copyFile(from, to, fs.constants.COPYFILE_EXCL)
            const { size } = await fs.stat(to)
            bytes += size
          }
        }
      } catch (err) {
        failures.push(`${p.item.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
      }
    })
  }
  await pool.drain()
  if (failures.length) {
    throw new AppError('IO', `export to ${dest} failed for ${failures.length} file(s), first: ${failures[0]}`)
  }
  const manifest = path.join(dest, 'manifest.csv')
  const rows = planned.map(({ item, target }) =>
    manifestRow(item, path.relative(dest, target).split(path.sep).join('/'))
  )
  await writeNew(manifest, toCsv(HEADER, rows))
  return { dest, layout: req.layout, items: items.length, bytes, manifest }
}

function exportItems(db: Catalog, datasetId: number, versionId?: number): ExportItem[] {
  requireDataset(db, datasetId)
  if (versionId !== undefined) {
    const { version, items } = readVersion(db, versionId)
    if (version.datasetId !== datasetId) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `version ${versionId} belongs to dataset ${version.datasetId}, not ${datasetId}`
      )
    }
    return items
  }
  return db
    .prepare(
      `SELECT i.id AS itemId, i.path, c.name AS label, i.split, i.sha256, i.kind, i.width, i.height, i.patient_id AS patientId,
         i.frame, i.plane
       FROM dataset_items i JOIN dataset_classes c ON c.id = i.class_id
       WHERE i.dataset_id = ? AND i.excluded = 0 ORDER BY i.id`
    )
    .all(datasetId) as ExportItem[]
}

/**
 * The file and, for the .hdr of an Analyze-style NIfTI pair, its .img beside it (the pair is one volume; the
 * item names the .hdr), as [source, target] pairs.
 */
async function withPairHalf(from: string, to: string): Promise<[string, string][]> {
  const m = /\.hdr(\.gz)?$/i.exec(from)
  if (!m) return [[from, to]]
  const stem = from.slice(0, m.index)
  const targetStem = to.slice(0, to.length - m[0].length)
  for (const ext of ['.img', '.IMG', '.img.gz']) {
    if (
      await fs.access(stem + ext).then(
        () => true,
        () => false
      )
    )
      return [
        [from, to],
        [stem + ext, targetStem + ext]
      ]
  }
  return [[from, to]]
}

/** A class name as one safe folder name on every OS. */
export function safeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const s = name.replace(/[<>:"/\\|?*\u0000-\u001f]/g, '_').replace(/[. ]+$/, '')
  return s === '' || s === '.' || s === '..' ? '_' : s
}

async function requireEmptyFolder(dest: string): Promise<void> {
  const entries = await fs.readdir(dest).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[]
    throw new AppError('IO', `export folder ${dest}: ${err.code ?? err.message}`)
  })
  if (entries.length) throw new AppError('CONFLICT', `export folder ${dest} is not empty; choose a new or empty folder`)
}

async function requireSources(items: ExportItem[]): Promise<void> {
  const missing: string[] = []
  for (const i of items) {
    await fs.access(i.path).catch(() => missing.push(i.path))
    if (missing.length >= 5) break
  }
  if (missing.length) throw new AppError('NOT_FOUND', `cannot export: source file(s) missing: ${missing.join(', ')}`)
}

async function writeNew(file: string, text: string): Promise<void> {
  try {
    await fs.writeFile(file, text, { flag: 'wx' })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new AppError('CONFLICT', `${file} already exists; exports never overwrite`)
    throw new AppError('IO', `cannot write ${file}: ${code ?? (err as Error).message}`)
  }
}
