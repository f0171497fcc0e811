import { z } from 'zod'
import { Id } from '../common'

/** Splits (src/main/datasets/split): the split values, grouping rules, split requests and reports. */

/** A data split. Items not yet split are `null` in rows and 'unassigned' in filters and counts. */
export type Split = 'train' | 'val' | 'test'
export const SPLITS: readonly Split[] = ['train', 'val', 'test']

/** Counts of included (not excluded) items per split; `unassigned` = not yet split. */
export interface SplitCounts {
  train: number
  val: number
  test: number
  unassigned: number
}

/** How items are grouped so no group spans two splits. */
export type GroupBy =
  /** DICOM PatientID (0010,0020); items without one are their own group. */
  | { kind: 'patient' }
  /** Every item alone (exact duplicates are still kept together). */
  | { kind: 'none' }
  /** A folder level of the path relative to the import root: 0 = class folder, 1 = the folder inside it, … */
  | { kind: 'folder'; level: number }
  /** A regular expression on the path relative to the import root ('/'-separated); key = group 1, else the match. */
  | { kind: 'regex'; pattern: string }

export const GroupBySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('patient') }).strict(),
  z.object({ kind: z.literal('none') }).strict(),
  z.object({ kind: z.literal('folder'), level: z.number().int().min(0).max(64) }).strict(),
  z
    .object({
      kind: z.literal('regex'),
      pattern: z
        .string()
        .min(1)
        .max(500)
        .refine((p) => {
          try {
            new RegExp(p)
            return true
          } catch {
            return false
          }
        }, 'must be a valid regular expression')
    })
    .strict()
])

/** Fractions of each split (sum 1), seed and grouping: everything needed to reproduce a split. */
export interface SplitConfig {
  train: number
  val: number
  test: number
  seed: number
  groupBy: GroupBy
}

const Fraction = z.number().min(0).max(1)

export const SplitRequest = z
  .object({
    datasetId: Id,
    val: Fraction.default(0.15),
    test: Fraction.default(0.15),
    seed: z.number().int().min(0).max(0xffffffff).default(42),
    groupBy: GroupBySchema.default({ kind: 'patient' })
  })
  .strict()
  .refine((r) => r.val + r.test < 1, 'val + test must leave a non-empty train fraction')

/** What a grouping rule gives on a dataset, before splitting: shown live in the split panel. */
export interface GroupingPreview {
  groupBy: GroupBy
  /** Items considered (included and excluded: the split places both). */
  items: number
  /** Items without a key under this rule (each then forms its own group). */
  withoutKey: number
  /** Groups formed, after merging exact duplicates. */
  groups: number
  /** Items in the largest group. */
  largestGroup: number
  /** The largest groups' keys (without the 'patient:'/'folder:'/'regex:' prefix) and item counts. */
  keys: { key: string; size: number }[]
}

/** A grouping inferred from paths when most items lack a PatientID, with its preview and the reason in words. */
export interface GroupingSuggestion {
  preview: GroupingPreview
  reason: string
}

/** The outcome of a split: per-split class counts and how many groups (patients) each split holds. */
export interface SplitReport {
  datasetId: number
  config: SplitConfig
  /** Groups formed (patients, folders, or single items), after merging exact duplicates. */
  groups: number
  /** Included items that had no group key (no PatientID, no regex match) and were grouped alone. */
  itemsWithoutGroupKey: number
  perSplit: Record<Split, { items: number; groups: number; classes: Record<string, number> }>
  /** Items whose split changed. */
  changed: number
  /** The undo entry, null when nothing changed. */
  opId: number | null
}
