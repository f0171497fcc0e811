import path from 'node:path'
import type { SegmentationRef, SeriesGroup } from '../../../shared/contract/imaging'
import type { ScannedEntry } from '../files/read-entry'

/**
 * Attaches each DICOM SEG among the opened files to the series it labels (`SeriesGroup.segmentations`): the
 * series its Referenced Series Sequence (0008,1115) names, or any series holding an image whose SOP Instance
 * UID (0008,0018) the SEG references. The SEG also stays listed on its own. Mutates `groups`.
 */
export function linkSegmentations(groups: SeriesGroup[], scanned: readonly ScannedEntry[]): void {
  const segs = scanned.filter((s) => s.header?.segmentation && !s.entry.problem)
  if (!segs.length) return
  const groupOfPath = new Map<string, SeriesGroup>()
  for (const g of groups) for (const e of g.entries) groupOfPath.set(e.path, g)
  const groupOfInstance = new Map<string, SeriesGroup>()
  for (const s of scanned) {
    const uid = s.header?.sopInstanceUID
    const g = groupOfPath.get(s.entry.path)
    if (uid && g) groupOfInstance.set(uid, g)
  }
  for (const s of segs) {
    const info = s.header!.segmentation!
    const own = groupOfPath.get(s.entry.path)
    const targets = new Set<SeriesGroup>()
    for (const uid of info.referencedSeries) {
      const g = groups.find((x) => x.key === `series:${uid}`)
      if (g) targets.add(g)
    }
    for (const uid of info.referencedInstances) {
      const g = groupOfInstance.get(uid)
      if (g) targets.add(g)
    }
    const ref: SegmentationRef = {
      path: s.entry.path,
      name: path.basename(s.entry.path),
      frames: s.entry.frames,
      segments: info.segments
    }
    for (const g of targets) {
      if (g === own) continue
      ;(g.segmentations ??= []).push(ref)
    }
  }
}
