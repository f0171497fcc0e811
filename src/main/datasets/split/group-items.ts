import type { GroupBy } from '../../../shared/contract/datasets'

/** What grouping needs to know about an item. */
export interface GroupableItem {
  id: number
  /** Path relative to the import root, '/'-separated, class folder first. */
  relPath: string
  /** DICOM PatientID (0010,0020), null when absent. */
  patientId: string | null
  sha256: string
  /**
   * Items that must share a split whatever the rule: the slices of one volume or the frames of one multi-frame
   * file (`dataset_items.group_key`); null or absent otherwise.
   */
  fileGroup?: string | null
}

/**
 * The group key of an item under a grouping rule, or null when the item has none (it then forms its own
 * group). Folder levels count from the class folder (0); the file name itself is never a folder level.
 */
export function groupKeyFn(groupBy: GroupBy): (item: GroupableItem) => string | null {
  switch (groupBy.kind) {
    case 'none':
      return () => null
    case 'patient':
      return (it) => (it.patientId ? `patient:${it.patientId}` : null)
    case 'folder':
      return (it) => {
        const parts = it.relPath.split('/')
        return groupBy.level < parts.length - 1 ? `folder:${parts[groupBy.level]}` : null
      }
    case 'regex': {
      const re = new RegExp(groupBy.pattern)
      return (it) => {
        const m = re.exec(it.relPath)
        if (!m) return null
        const key = m[1] ?? m[0]
        return key ? `regex:${key}` : null
      }
    }
  }
}

/**
 * Partitions items into groups that must share a split: same group key, same content (sha256) or same file
 * (`fileGroup`: a volume's slices, a multi-frame file's frames), joined transitively (union–find), so exact
 * duplicates and the slices of one volume never straddle splits either.
 * @returns groups as arrays of item ids (each sorted ascending, groups ordered by their smallest id) and the
 *   ids that had no group key.
 */
export function groupItems(items: GroupableItem[], groupBy: GroupBy): { groups: number[][]; withoutKey: Set<number> } {
  const keyOf = groupKeyFn(groupBy)
  const parent = items.map((_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]]
      i = parent[i]
    }
    return i
  }
  const union = (a: number, b: number) => {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
  const firstByKey = new Map<string, number>()
  const withoutKey = new Set<number>()
  items.forEach((it, i) => {
    const key = keyOf(it)
    if (key === null) withoutKey.add(it.id)
    const keys = key === null ? [`sha:${it.sha256}`] : [key, `sha:${it.sha256}`]
    if (it.fileGroup) keys.push(`file-group:${it.fileGroup}`)
    for (const k of keys) {
      const first = firstByKey.get(k)
      if (first === undefined) firstByKey.set(k, i)
      else union(first, i)
    }
  })
  const byRoot = new Map<number, number[]>()
  items.forEach((it, i) => {
    const r = find(i)
    const g = byRoot.get(r)
    if (g) g.push(it.id)
    else byRoot.set(r, [it.id])
  })
  const groups = [...byRoot.values()].map((g) => g.sort((a, b) => a - b)).sort((a, b) => a[0] - b[0])
  return { groups, withoutKey }
}
