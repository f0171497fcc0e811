import type { LeakageFinding, LeakageItem, LeakageReport, Split } from '../../../shared/contract/datasets'
import type { Catalog } from '../../catalog/open-catalog'
import { requireDataset } from '../store/datasets-store'
import { forEachNearPair, parseDHash, type Hash64 } from './near-pairs'

interface Row {
  id: number
  path: string
  sha256: string
  dhash: string | null
  class_id: number
  class_name: string
  split: Split | null
}

/** Default Hamming threshold for near-duplicates (bits of 64). */
export const DEFAULT_NEAR_THRESHOLD = 6

/**
 * Leakage among a dataset's included items:
 * - exact: files with the same sha256 in different splits or with different labels;
 * - near: files with different content whose dHashes are within `threshold` bits and that sit in different
 *   splits or carry different labels; linked files form one finding (`maxDistance` is the largest distance
 *   among the links that joined it).
 * Unsplit items never count as crossing splits.
 */
export function findLeakage(db: Catalog, datasetId: number, threshold = DEFAULT_NEAR_THRESHOLD): LeakageReport {
  requireDataset(db, datasetId)
  const rows = db
    .prepare(
      `SELECT i.id, i.path, i.sha256, i.dhash, i.class_id, c.name AS class_name, i.split
       FROM dataset_items i JOIN dataset_classes c ON c.id = i.class_id
       WHERE i.dataset_id = ? AND i.excluded = 0 ORDER BY i.id`
    )
    .all(datasetId) as Row[]
  const near = nearFindings(rows, threshold)
  return {
    datasetId,
    threshold,
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
  kind: 'exact' | 'near',
  members: Row[],
  crossSplit: boolean,
  crossClass: boolean,
  maxDistance: number
): LeakageFinding {
  const items: LeakageItem[] = members.map((r) => ({
    itemId: r.id,
    path: r.path,
    className: r.class_name,
    split: r.split,
    thumb: `thumb/${r.id}`
  }))
  return {
    id: kind === 'exact' ? `exact:${members[0].sha256}` : `near:${members[0].id}`,
    kind,
    crossSplit,
    crossClass,
    maxDistance,
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
    if (splits.size > 1 || classes.size > 1) out.push(finding('exact', g, splits.size > 1, classes.size > 1, 0))
  }
  return out
}

/** Items with the same dHash, split and label: one node of the near-duplicate graph. */
interface Node extends Hash64 {
  members: Row[]
  /** The members' content hash when they all share one, else null. */
  sha: string | null
}

/**
 * Near-duplicate findings. Items are first collapsed into nodes of equal (dHash, split, label), which keeps dense
 * clusters (blank slices, one protocol's look-alike images) small; nodes are then linked when their hashes are
 * within the threshold and they leak (different splits or labels) and are not just copies of one file. Linked
 * nodes form one finding. Pairs already linked are not measured again.
 */
function nearFindings(rows: Row[], threshold: number): { findings: LeakageFinding[]; truncated: boolean } {
  const nodes: Node[] = []
  const byKey = new Map<string, Node>()
  for (const r of rows) {
    const h = parseDHash(r.dhash)
    if (!h) continue
    const key = `${r.dhash}|${r.split}|${r.class_id}`
    let node = byKey.get(key)
    if (!node) {
      byKey.set(key, (node = { ...h, members: [], sha: r.sha256 }))
      nodes.push(node)
    }
    node.members.push(r)
    if (node.sha !== r.sha256) node.sha = null
  }
  const parent = Int32Array.from(nodes, (_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]]
      i = parent[i]
    }
    return i
  }
  const links: { a: number; b: number; d: number; split: boolean; cls: boolean }[] = []
  const { truncated } = forEachNearPair(
    nodes,
    threshold,
    (a, b, d) => {
      const x = crossing(nodes[a].members[0], nodes[b].members[0])
      links.push({ a, b, d, ...x })
      parent[Math.max(find(a), find(b))] = Math.min(find(a), find(b))
    },
    {
      consider: (a, b) => {
        const x = crossing(nodes[a].members[0], nodes[b].members[0])
        if (!x.split && !x.cls) return false
        if (nodes[a].sha !== null && nodes[a].sha === nodes[b].sha) return false
        return find(a) !== find(b)
      }
    }
  )
  const comps = new Map<number, { nodes: Set<number>; split: boolean; cls: boolean; max: number }>()
  for (const l of links) {
    const root = find(l.a)
    let c = comps.get(root)
    if (!c) comps.set(root, (c = { nodes: new Set(), split: false, cls: false, max: 0 }))
    c.nodes.add(l.a).add(l.b)
    c.split ||= l.split
    c.cls ||= l.cls
    c.max = Math.max(c.max, l.d)
  }
  const findings = [...comps.values()]
    .map((c) => {
      const members = [...c.nodes].flatMap((n) => nodes[n].members).sort((x, y) => x.id - y.id)
      return finding('near', members, c.split, c.cls, c.max)
    })
    .sort((x, y) => x.items[0].itemId - y.items[0].itemId)
  return { findings, truncated }
}
