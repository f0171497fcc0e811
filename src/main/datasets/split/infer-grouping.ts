import type { GroupBy, GroupingPreview, GroupingSuggestion } from '../../../shared/contract/datasets'
import { groupKeyFn, groupItems, type GroupableItem } from './group-items'

/** Keys listed in a preview, largest groups first. */
const PREVIEW_KEYS = 8
/** Below this share of items with a PatientID, patient grouping is called unusable and a path grouping proposed. */
export const MIN_KEY_COVERAGE = 0.5

/**
 * The file-name grouping: everything before a trailing slice/frame number, e.g. `PGL000_slice0.png` → `PGL000`,
 * `case12-img-003.dcm` → `case12`. Group 1 is the key (see GroupBy 'regex').
 */
export const FILENAME_PREFIX_PATTERN = '([^/]+?)[-_ .]*(?:slice|slc|img|image|frame|sl|z)?[-_ .]*\\d+\\.[^./]+$'

/** What grouping `items` under `groupBy` gives: counts and the largest groups' keys. */
export function previewGrouping(items: GroupableItem[], groupBy: GroupBy): GroupingPreview {
  const keyOf = groupKeyFn(groupBy)
  const sizes = new Map<string, number>()
  let withoutKey = 0
  for (const it of items) {
    const k = keyOf(it)
    if (k === null) withoutKey++
    else sizes.set(k, (sizes.get(k) ?? 0) + 1)
  }
  const { groups } = groupItems(items, groupBy)
  const keys = [...sizes.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, PREVIEW_KEYS)
    .map(([key, size]) => ({ key: key.slice(key.indexOf(':') + 1), size }))
  return {
    groupBy,
    items: items.length,
    withoutKey,
    groups: groups.length,
    largestGroup: groups.reduce((m, g) => Math.max(m, g.length), 0),
    keys
  }
}

/** A grouping that really groups: nearly every item has a key, and groups hold two items on average or more. */
function groupsUsefully(p: GroupingPreview): boolean {
  return p.items > 1 && p.withoutKey <= p.items * 0.1 && p.groups >= 2 && p.items / p.groups >= 1.5
}

/**
 * When most items lack a PatientID (PNG/JPEG datasets), proposes a grouping inferred from the paths: the
 * shallowest folder level inside the class folders that groups usefully (patient folders come before series
 * folders, so a patient is never cut into series), else the file-name prefix before a slice number. Null when
 * PatientIDs cover enough items or nothing in the paths groups.
 */
export function suggestGrouping(items: GroupableItem[]): GroupingSuggestion | null {
  const withPatient = items.filter((it) => it.patientId).length
  if (items.length === 0 || withPatient >= items.length * MIN_KEY_COVERAGE) return null
  const depth = items.reduce((m, it) => Math.max(m, it.relPath.split('/').length - 1), 0)
  const coverage = `${items.length - withPatient} of ${items.length} items have no PatientID (0010,0020)`
  for (let level = 1; level < depth; level++) {
    const preview = previewGrouping(items, { kind: 'folder', level })
    if (groupsUsefully(preview))
      return { preview, reason: `${coverage}; the folders at level ${level} group them into ${preview.groups} groups` }
  }
  const byName = previewGrouping(items, { kind: 'regex', pattern: FILENAME_PREFIX_PATTERN })
  if (groupsUsefully(byName))
    return {
      preview: byName,
      reason: `${coverage}; the file names share prefixes before a slice number (e.g. ${byName.keys[0]?.key}), giving ${byName.groups} groups`
    }
  return null
}
