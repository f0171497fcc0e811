import { m001Workspace } from './001_workspace'
import { m002Datasets } from './002_datasets'
import { m003Runs } from './003_runs'
import { m004Inference } from './004_inference'
import { m005RunTruth } from './005_run_truth'
import { m006Evidence } from './006_evidence'
import { m007ItemFrames } from './007_item_frames'
import { m008StageBackends } from './008_stage_backends'
import { m009TtaUncertainty } from './009_tta_uncertainty'
import { m010VolumePlane } from './010_volume_plane'
import type { Migration } from './types'

/**
 * Every schema migration, in order. Append only: a released migration never changes, a new one is added
 * with the next number and a test that upgrades a catalog from the previous version.
 */
export const MIGRATIONS: readonly Migration[] = [
  m001Workspace,
  m002Datasets,
  m003Runs,
  m004Inference,
  m005RunTruth,
  m006Evidence,
  m007ItemFrames,
  m008StageBackends,
  m009TtaUncertainty,
  m010VolumePlane
]

export type { Migration } from './types'
