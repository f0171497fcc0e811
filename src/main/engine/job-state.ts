import type { Catalog } from '../catalog/open-catalog'

/**
 * Job state shared by every catalog table that records engine work (runs, inference_jobs, …): each row
 * in progress carries `host_pid`, the app process that owns it. A row whose owner is gone is an orphan
 * and gets marked interrupted by its store; a row owned by another live app instance is left alone.
 */

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Owned by another app process that is still running (this process's own rows are orphans on start). */
export const ownedByOtherLiveApp = (pid: number): boolean => pid !== process.pid && isProcessAlive(pid)

/** Ids of rows of `table` in one of `statuses` whose owner is unknown or not alive. */
export function findOrphans(
  db: Catalog,
  table: string,
  statuses: readonly string[],
  isAlive: (pid: number) => boolean = ownedByOtherLiveApp
): number[] {
  const rows = db
    .prepare(`SELECT id, host_pid FROM ${table} WHERE status IN (${statuses.map(() => '?').join(', ')})`)
    .all(...statuses) as { id: number; host_pid: number | null }[]
  return rows.filter((r) => r.host_pid === null || !isAlive(r.host_pid)).map((r) => r.id)
}
