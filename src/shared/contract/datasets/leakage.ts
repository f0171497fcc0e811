import type { Split } from './split'

/** Leakage detection (src/main/datasets/leakage): exact and near duplicates across splits or classes. */

/** A file in a leakage finding. */
export interface LeakageItem {
  itemId: number
  path: string
  className: string
  split: Split | null
  /** Media reference of its thumbnail. */
  thumb: string
}

/**
 * Files that are the same image across splits or classes. Exact: every file with one sha256. Near: one scored
 * pair (two files, or two sets of files with identical dHash, split and label), never a chain of pairs.
 */
export interface LeakageFinding {
  /** 'exact:<sha256>' or 'near:<item id>-<item id>'. */
  id: string
  kind: 'exact' | 'near'
  /** The files sit in different splits. */
  crossSplit: boolean
  /** The files carry different labels. */
  crossClass: boolean
  /** Hamming distance of the pair's dHashes, bits of 64 (0 for exact). */
  maxDistance: number
  /**
   * Near only: the pair's pixel distance (see LeakageReport.measure), in standard deviations of the image;
   * at most `pixelThreshold`. 0 for exact; null when a thumbnail could not be made (the pair is then judged by
   * its dHash alone).
   */
  pixelDistance: number | null
  paths: string[]
  items: LeakageItem[]
}

export interface LeakageReport {
  datasetId: number
  /** Hamming threshold of the dHash candidate search (bits of 64). */
  threshold: number
  /** Largest pixel distance of a near pair that counts as the same picture, in standard deviations. */
  pixelThreshold: number
  /** How near pairs were measured, in words (shown in the report). */
  measure: string
  /** Candidate pairs within the dHash threshold that crossed splits or classes and were measured. */
  candidatePairs: number
  /** Candidates kept per item: its closest dHashes that leak (look-alike folders would otherwise give n² pairs). */
  partnersPerItem: number
  /** Some item had more candidates than `partnersPerItem`: a copy further away in dHash may be unlisted. */
  partnersCapped: boolean
  /** Candidates the pixel check rejected as different pictures (e.g. one anatomy, lesions elsewhere). */
  rejectedPairs: number
  /** Included items compared. */
  itemsChecked: number
  exact: LeakageFinding[]
  near: LeakageFinding[]
  /**
   * True when the near-duplicate search stopped at its work budget (50 million dHash comparisons, or 12,000
   * pairs to measure): near findings may be incomplete. Happens only when thousands of items have almost the
   * same dHash; lower the threshold.
   */
  truncated: boolean
}
