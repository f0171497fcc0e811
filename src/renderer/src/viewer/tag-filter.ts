import type { TagRow } from '../../../shared/contract/imaging'

/**
 * The tag rows matching a search, case-insensitively, in tag, keyword, VR or value; all words must match
 * (so 'window center' finds WindowCenter). An empty query keeps every row.
 */
export function filterTags(rows: readonly TagRow[], query: string): TagRow[] {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0)
  if (words.length === 0) return [...rows]
  return rows.filter((r) => {
    const hay = `${r.tag} ${r.keyword} ${r.vr} ${r.value}`.toLowerCase()
    return words.every((w) => hay.includes(w))
  })
}
