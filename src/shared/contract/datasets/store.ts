import { z } from 'zod'
import { Id } from '../common'
import type { SplitConfig, SplitCounts, Split } from './split'

/** Datasets, classes and items as the catalog lists them (src/main/datasets/store). */

/** What kind of file an item is, recognised by content ('nifti': one slice of a NIfTI volume, by file name). */
export type ItemKind = 'dicom' | 'png' | 'jpeg' | 'nifti'

export interface DatasetSummary {
  id: number
  name: string
  createdAt: string
  updatedAt: string
  /** All items, excluded ones included. */
  items: number
  excluded: number
  classes: number
  /** Included items per split. */
  splits: SplitCounts
  /** The parameters of the last split, null before the first. */
  splitConfig: SplitConfig | null
  versions: number
}

export interface ClassSummary {
  id: number
  datasetId: number
  name: string
  /** Included items with this label. */
  total: number
  /** Included items per split. */
  splits: SplitCounts
  excluded: number
}

export type ItemFlag = 'excluded' | 'included' | 'conflict' | 'duplicate'

export const ListItemsRequest = z
  .object({
    datasetId: Id,
    classId: Id.optional(),
    split: z.enum(['train', 'val', 'test', 'unassigned']).optional(),
    flag: z.enum(['excluded', 'included', 'conflict', 'duplicate']).optional(),
    tag: z.string().min(1).max(100).optional(),
    /** Substring of the path relative to the import root, case-insensitive. */
    search: z.string().min(1).max(500).optional(),
    orderBy: z.enum(['id', 'path', 'class', 'split', 'size', 'width']).default('id'),
    desc: z.boolean().default(false),
    offset: z.number().int().min(0).max(10_000_000).default(0),
    limit: z.number().int().min(1).max(1000).default(100)
  })
  .strict()

/** One catalog item: a file that stays where it is, with its label, split and curation state. */
export interface DatasetItem {
  id: number
  datasetId: number
  classId: number
  /** Current label. */
  className: string
  /** The class folder the file was imported from (differs from `className` after a relabel). */
  folderClass: string
  /** Absolute path. */
  path: string
  /** Path relative to the import root, '/'-separated, starting with the class folder. */
  relPath: string
  kind: ItemKind
  /** Pixels (DICOM Columns (0028,0011)). */
  width: number
  /** Pixels (DICOM Rows (0028,0010)). */
  height: number
  /** Number of Frames (0028,0008); a volume's slices along `plane`; 1 for PNG/JPEG. */
  frames: number
  /** 0-based DICOM frame or volume slice this item is (a multi-frame file or volume is one item per frame). */
  frame: number
  /** Volume slices: the plane `frame` counts along ('axial' | 'coronal' | 'sagittal'); null otherwise. */
  plane: 'axial' | 'coronal' | 'sagittal' | null
  /** Bytes. */
  size: number
  /** Hex SHA-256 of the file's bytes (of "<file sha>:<frame>" or "<file sha>:<plane>:<slice>" for one frame or slice). */
  sha256: string
  /** 64-bit difference hash of the thumbnail as 16 hex digits, null if not computed. */
  dhash: string | null
  split: Split | null
  excluded: boolean
  excludeReason: string | null
  note: string | null
  tags: string[]
  /** DICOM (0008,0060). */
  modality: string | null
  /** DICOM (0010,0020). */
  patientId: string | null
  /** DICOM (0020,000D). */
  studyInstanceUID: string | null
  /** DICOM (0020,000E). */
  seriesInstanceUID: string | null
  /** DICOM (0020,0013). */
  instanceNumber: number | null
  /** Media reference for the thumbnail: `thumb/<id>` (neuropath-media://thumb/<id> or /media/thumb/<id>). */
  thumb: string
  /** Another item has the same sha256. */
  duplicate: boolean
  /** Another included item with the same sha256 has a different label. */
  conflict: boolean
}

export interface ItemPage {
  total: number
  offset: number
  items: DatasetItem[]
}
