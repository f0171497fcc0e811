import { m001Workspace } from './001_workspace'
import { m002Datasets } from './002_datasets'
import { m003Runs } from './003_runs'
import { m004Inference } from './004_inference'
import type { Migration } from './types'

/**
 * Every schema migration, in order. Append only: a released migration never changes, a new one is added
 * with the next number and a test that upgrades a catalog from the previous version.
 */
export const MIGRATIONS: readonly Migration[] = [m001Workspace, m002Datasets, m003Runs, m004Inference]

export type { Migration } from './types'
