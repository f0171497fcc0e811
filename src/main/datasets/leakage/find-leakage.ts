import type { LeakageFinding, LeakageItem, LeakageReport, Split } from '../../../shared/contract/datasets'
import type { Catalog } from '../../catalog/open-catalog'
import type { ImageKind } from '../../imaging'
import { requireDataset } from '../store/datasets-store'
import { closestByHash, HASH_PARTNERS, PARTNERS, pickPairs } from './candidate-pairs'
import { parseDHash, type Hash64 } from './near-pairs'
import { coarseDistance, DEFAULT_PIXEL_THRESHOLD, pixelDistance } from './pixel-distance'
import { loadSignatures } from './pixel-signatures'

interface Row {
  id: number
  path: string
  sha256: string
  kind: ImageKind
  dhash: string | null
  class_id: number
  class_name: string
  split: Split | null
}

/** Default Hamming threshold of the dHash candidate search (bits of 64). */
export const DEFAULT_NEAR_THRESHOLD = 6
/** Most candidate pairs measured pixel by pixel (about 0.1 ms each); beyond this the report says truncated. */
export const MAX_MEASURED_PAIRS = 12_000

export interface LeakageOptions {
  /** Workspace cache folder holding the thumbnails the pixel check reads. */
  cacheDir: string
  /** dHash Hamming threshold, bits. */
  threshold?: number
  /** Pixel distance threshold, standard deviations. */
  pixelThreshold?: number
}

/**
 * Leakage among a dataset's included items:
 * - exact: files with the same sha256 in different splits or with different labels;
 * - near: pairs of files with different content that sit in different splits or carry different labels, whose
 *   dHashes are within `threshold` bits (the candidate search) AND whose pictures agree pixel by pixel after
 *   normalisation and alignment (`pixelDistance` ≤ `pixelThreshold`). A dHash alone calls slices of one anatomy
 *   alike even with lesions in different places; the pixel check tells a re-encoded, resized or shifted copy
 *   from such a slice. Each near finding is one scored pair: pairs are never chained into clusters.
 * Unsplit items never count as crossing splits.
 */
export async function findLeakage(db: Catalog, datasetId: number, opts: LeakageOptions): Promise<LeakageReport> {
  requireDataset(db, datasetId)
  const threshold = opts.threshold ?? DEFAULT_NEAR_THRESHOLD
  const pixelThreshold = opts.pixelThreshold ?? DEFAULT_PIXEL_THRESHOLD
  const rows = db
    .prepare(
      `SELECT i.id, i.path, i.sha256, i.kind, i.dhash, i.class_id, c.name AS class_name, i.split
       FROM dataset_items i JOIN dataset_classes c ON c.id = i.class_id
       WHERE i.dataset_id = ? AND i.excluded = 0 ORDER BY i.id`
    )
    .all(datasetId) as Row[]
  const near = await nearFindings(rows, threshold, pixelThreshold, opts.cacheDir)
  return {
    datasetId,
    threshold,
    pixelThreshold,
    measure:
      `dHash within ${threshold} of 64 bits finds candidates; a pair counts when its pixel distance is at most ` +
      `${pixelThreshold} SD (64×64 grey, z-scored, aligned within ±2 pixels to a fraction of a pixel, ` +
      `largest 8×8 block mean difference); per item, the ${PARTNERS} most alike of its ${HASH_PARTNERS} closest ` +
      `dHash candidates are measured`,
    candidatePairs: near.candidates,
    partnersPerItem: HASH_PARTNERS,
    partnersCapped: near.partnersCapped,
    rejectedPairs: near.rejected,
    itemsChecked: rows.length,
    exact: exactFindings(rows),
    near: near.findings,
    truncated: near.truncated
  }
}

function crossing(a: Row, b: Row): { split: boolean; cls: boolean } {
  return { split: a.split !== null && b.split !== null && a.split !== b.split, cls: a.class_id !== b.class_id }
}

function finding(
  id: string,
  kind: 'exact' | 'near',
  members: Row[],
  crossSplit: boolean,
  crossClass: boolean,
  distance: number,
  pixel: number | null
): LeakageFinding {
  const items: LeakageItem[] = members.map((r) => ({
    itemId: r.id,
    path: r.path,
    className: r.class_name,
    split: r.split,
    thumb: `thumb/${r.id}`
  }))
  return {
    id,
    kind,
    crossSplit,
    crossClass,
    maxDistance: distance,
    pixelDistance: pixel,
    paths: items.map((i) => i.path),
    items
  }
}

function exactFindings(rows: Row[]): LeakageFinding[] {
  const bySha = new Map<string, Row[]>()
  for (const r of rows) {
    const g = bySha.get(r.sha256)
    if (g) g.push(r)
    else bySha.set(r.sha256, [r])
  }
  const out: LeakageFinding[] = []
  for (const g of bySha.values()) {
    if (g.length < 2) continue
    const splits = new Set(g.map((r) => r.split).filter((s) => s !== null))
    const classes = new Set(g.map((r) => r.class_id))
    if (splits.size > 1 || classes.size > 1)
      out.push(finding(`exact:${g[0].sha256}`, 'exact', g, splits.size > 1, classes.size > 1, 0, 0))
  }
  return out
}

/** Copies of one content (same sha256) with the same split and label: one side of a pair (usually one file). */
interface Node extends Hash64 {
  members: Row[]
  sha: string
}

/**
 * Near-duplicate pairs. Copies of one file with the same split and label are one node (they cannot leak to each
 * other). Items with merely equal dHashes are NOT merged: slices of one anatomy often share a dHash, and only the
 * pixel check tells them apart. Node pairs within the dHash threshold that leak and are not copies of one file
 * are candidates, each measured pixel by pixel.
 */
async function nearFindings(
  rows: Row[],
  threshold: number,
  pixelThreshold: number,
  cacheDir: string
): Promise<{
  findings: LeakageFinding[]
  truncated: boolean
  candidates: number
  rejected: number
  partnersCapped: boolean
}> {
  const nodes: Node[] = []
  const byKey = new Map<string, Node>()
  for (const r of rows) {
    const h = parseDHash(r.dhash)
    if (!h) continue
    const key = `${r.sha256}|${r.split}|${r.class_id}`
    let node = byKey.get(key)
    if (!node) {
      byKey.set(key, (node = { ...h, members: [], sha: r.sha256 }))
      nodes.push(node)
    }
    node.members.push(r)
  }
  // Hot path (millions of calls in look-alike folders): no allocation.
  const cand = closestByHash(nodes, threshold, (a, b) => {
    const ra = nodes[a].members[0]
    const rb = nodes[b].members[0]
    const leaks = ra.class_id !== rb.class_id || (ra.split !== null && rb.split !== null && ra.split !== rb.split)
    return leaks && ra.sha256 !== rb.sha256
  })
  const used = new Set<number>()
  cand.lists.forEach((list, n) => {
    if (list.length) used.add(n)
  })
  const { bySha } = await loadSignatures(
    cacheDir,
    [...used].map((n) => nodes[n].members[0])
  )
  const sig = (n: number) => bySha.get(nodes[n].members[0].sha256) ?? null
  // Among an item's look-alikes by dHash, a cheap pixel comparison picks the few worth measuring in full.
  const pairs = pickPairs(cand.lists, (a, b) => {
    const sa = sig(a)
    const sb = sig(b)
    return sa && sb ? coarseDistance(sa, sb) : -1
  })
  let truncated = cand.truncated
  // Closest hashes first, so a truncated measurement keeps the likeliest copies.
  pairs.sort((p, q) => p.d - q.d || p.a - q.a || p.b - q.b)
  if (pairs.length > MAX_MEASURED_PAIRS) {
    pairs.length = MAX_MEASURED_PAIRS
    truncated = true
  }
  const findings: { f: LeakageFinding; pixel: number }[] = []
  let rejected = 0
  for (const p of pairs) {
    const A = nodes[p.a]
    const B = nodes[p.b]
    const sa = sig(p.a)
    const sb = sig(p.b)
    const pixel = sa && sb ? pixelDistance(sa, sb) : null
    if (pixel !== null && pixel > pixelThreshold) {
      rejected++
      continue
    }
    const x = crossing(A.members[0], B.members[0])
    const members = [...A.members, ...B.members].sort((m, n) => m.id - n.id)
    const id = `near:${Math.min(A.members[0].id, B.members[0].id)}-${Math.max(A.members[0].id, B.members[0].id)}`
    const rounded = pixel === null ? null : Math.round(pixel * 1000) / 1000
    findings.push({ f: finding(id, 'near', members, x.split, x.cls, p.d, rounded), pixel: pixel ?? Infinity })
  }
  // Most certain copies first.
  findings.sort((x, y) => x.pixel - y.pixel || x.f.maxDistance - y.f.maxDistance || x.f.id.localeCompare(y.f.id))
  return {
    findings: findings.map((x) => x.f),
    truncated,
    candidates: pairs.length,
    rejected,
    partnersCapped: cand.capped
  }
}
