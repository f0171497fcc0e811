import { m001Workspace } from './001_workspace'
import type { Migration } from './types'

/**
 * Every schema migration, in order. Append only: a released migration never changes, a new one is added
 * with the next number and a test that upgrades a catalog from the previous version.
 */
export const MIGRATIONS: readonly Migration[] = [m001Workspace]

export type { Migration } from './types'
