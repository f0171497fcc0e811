import fs from 'node:fs/promises'
import path from 'node:path'
import type { Handlers } from '../../shared/contract'
import type { OpenResult } from '../../shared/contract/imaging'
import { AppError } from '../../shared/errors'
import { dumpTags, sniffFile } from '../imaging'
import { grantsFor, type PathGrants } from '../security/path-grants'
import type { AppContext } from './app-context'
import { DropUploads } from '../imaging/files/drop-uploads'
import { FrameCache } from '../imaging/files/frame-cache'
import { groupSeries } from '../imaging/files/group-series'
import { readEntry, type ScannedEntry } from '../imaging/files/read-entry'
import { mapLimited, scanFolder } from '../imaging/files/scan-folder'
import { linkSegmentations } from '../imaging/seg/link-segmentations'
import { SegSlices } from '../imaging/seg/seg-slice'

/** Header reads in flight during a folder scan: enough to hide disk latency, few enough to keep file handles low. */
const HEADER_CONCURRENCY = 16

/**
 * Grants `paths` and lists their images. Folders are scanned (non-images skipped); a file opened on its own
 * is always listed, with the reason when it is not a readable image.
 */
async function openGranted(grants: PathGrants, paths: string[]): Promise<OpenResult> {
  const roots: string[] = []
  const scanned: ScannedEntry[] = []
  let skipped = 0
  let truncated = false
  for (const p of paths) {
    const real = await grants.grant(p)
    roots.push(real)
    const st = await fs.stat(real)
    if (st.isDirectory()) {
      const scan = await scanFolder(real)
      truncated ||= scan.truncated
      const found = await mapLimited(scan.files, HEADER_CONCURRENCY, (f) => readEntry(f, false))
      for (const f of found) {
        if (f) scanned.push(f)
        else skipped++
      }
    } else {
      const one = await readEntry(real, true)
      if (one) scanned.push(one)
    }
  }
  // The same file reached twice (a folder and a file inside it) is listed once.
  const seen = new Set<string>()
  const unique = scanned.filter((s) => !seen.has(s.entry.path) && seen.add(s.entry.path))
  const series = groupSeries(unique)
  linkSegmentations(series, unique)
  return { roots, series, skipped, truncated }
}

/**
 * The imaging service: the viewer's only way to read images. Paths from the renderer must lie in a root
 * granted in this session (`openPaths`, a dropped file, or another service's grant via `grantsFor(ctx)`).
 */
export function imagingHandlers(ctx: AppContext): Handlers['imaging'] {
  const grants = grantsFor(ctx)
  // One frame cache, not two: the renderer's FrameStore (192 MiB, renderer/src/viewer/frame-store.ts) keeps
  // what was shown; main keeps nothing (budget 0) and only lets concurrent requests share one decode.
  const frames = new FrameCache(0)
  const uploads = new DropUploads(path.join(ctx.workspace.cacheDir, 'dropped'))
  const segs = new SegSlices()
  return {
    openPaths: ({ paths }) => openGranted(grants, paths),

    async openBytes(chunk) {
      const r = await uploads.append(chunk)
      const opened = r.file ? await openGranted(grants, [r.file]) : null
      return { uploadId: r.uploadId, received: r.received, opened }
    },

    async getFrame({ path: p, frame, plane }) {
      return frames.get(await grants.check(p), frame, plane)
    },

    async getSegmentation({ seg, image, frame }) {
      return segs.slice(await grants.check(seg), await grants.check(image), frame)
    },

    async getTags({ path: p }) {
      const real = await grants.check(p)
      const kind = await sniffFile(real)
      if (!kind) throw new AppError('UNSUPPORTED', `${real}: not a DICOM, PNG or JPEG file (content not recognised)`)
      return kind === 'dicom' ? dumpTags(real) : []
    }
  }
}
