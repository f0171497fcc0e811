import path from 'node:path'
import type { Handlers } from '../../shared/contract'
import { AppError, toEnvelope } from '../../shared/errors'
import {
  addClass,
  createDataset,
  createVersion,
  ensureThumbnail,
  exportDataset,
  findLeakage,
  getDataset,
  getImportReport,
  getItem,
  importFolder,
  listClasses,
  listDatasets,
  listImports,
  listItems,
  listOps,
  listVersions,
  loadSplitRows,
  mergeClasses,
  newImportId,
  previewGrouping,
  relabelItems,
  removeDataset,
  renameClass,
  renameDataset,
  resolveLeakage,
  setExcluded,
  setNote,
  splitDataset,
  suggestGrouping,
  undoOps,
  updateTags
} from '../datasets'
import { listClassFolders } from '../datasets/import/walk-folder'
import { datasetOfItems } from '../datasets/store/items-query'
import { requireClass } from '../datasets/store/classes-store'
import { requireDataset } from '../datasets/store/datasets-store'
import type { AppContext } from './app-context'

/**
 * The datasets service: curation API over the workspace catalog. Imports run in the background (bounded
 * async concurrency; pixel decode and deflate on the libuv pool) with progress events and a status-bar job.
 * Also registers the `thumb/<itemId>` media route (thumbnails generated lazily when missing from the cache).
 */
export function datasetsHandlers(ctx: AppContext): Handlers['datasets'] {
  const db = ctx.workspace.db
  const running = new Map<string, { controller: AbortController; dataset: string }>()
  const changed = (datasetId: number, reason: string) => ctx.hub.emit('datasets', 'onChanged', { datasetId, reason })

  ctx.media.register('thumb', async (id) => {
    if (!/^\d{1,15}$/.test(id)) return null
    const item = db
      .prepare('SELECT path, kind, sha256, frame, plane FROM dataset_items WHERE id = ?')
      .get(Number(id)) as Parameters<typeof ensureThumbnail>[1] | undefined
    if (!item) return null
    try {
      return { file: await ensureThumbnail(ctx.workspace.cacheDir, item), type: 'image/png' }
    } catch {
      // The source file vanished or no longer decodes: there is no thumbnail to serve.
      return null
    }
  })

  /** Runs a curation action and tells subscribers which dataset changed. */
  const curate = <T extends { changed: number }>(datasetId: number, reason: string, fn: () => T): T => {
    const res = fn()
    if (res.changed) changed(datasetId, reason)
    return res
  }

  return {
    list: () => listDatasets(db),
    get: ({ datasetId }) => getDataset(db, datasetId),
    create: ({ name }) => createDataset(db, name),
    rename: ({ datasetId, name }) => {
      const res = renameDataset(db, datasetId, name)
      changed(datasetId, 'rename')
      return res
    },
    remove: ({ datasetId }) => {
      const removed = removeDataset(db, datasetId)
      changed(datasetId, 'remove')
      return { removed }
    },

    async startImport({ dataset, root, volumePlane, skipEmptySlices }) {
      const abs = path.resolve(root)
      for (const r of running.values()) {
        if (r.dataset.toLowerCase() === dataset.toLowerCase()) {
          throw new AppError('BUSY', `an import into dataset "${dataset}" is already running`)
        }
      }
      await listClassFolders(abs) // fail fast on a missing root or one without class folders
      const importId = newImportId()
      const jobId = ctx.jobs.start('import', `Import ${path.basename(abs)} into ${dataset}`)
      const controller = new AbortController()
      running.set(importId, { controller, dataset })
      void importFolder(db, {
        importId,
        dataset,
        root: abs,
        cacheDir: ctx.workspace.cacheDir,
        volumes: { plane: volumePlane, skipEmptySlices },
        signal: controller.signal,
        onProgress: (p) => {
          ctx.hub.emit('datasets', 'onImportProgress', p)
          ctx.jobs.update(jobId, {
            progress: p.fraction,
            message: `${p.processed}/${p.seen}${p.walked ? '' : '+'} files, ${p.filesPerSecond}/s, ${p.failed} failed`
          })
        }
      })
        .then((result) => {
          ctx.jobs.update(jobId, {
            state: 'done',
            progress: 1,
            message: `${result.imported} imported, ${result.skipped} skipped, ${result.failed} failed, ${result.conflicts} conflicts`
          })
          ctx.hub.emit('datasets', 'onImportFinished', { importId, state: 'done', result, error: null })
          changed(result.datasetId, 'import')
        })
        .catch((err: unknown) => {
          const env = toEnvelope(err)
          const state = env.code === 'CANCELLED' ? 'cancelled' : 'failed'
          ctx.jobs.update(jobId, { state, message: env.message })
          ctx.hub.emit('datasets', 'onImportFinished', {
            importId,
            state,
            result: null,
            error: { code: env.code, message: env.message }
          })
        })
        .finally(() => running.delete(importId))
      return { importId, jobId }
    },
    cancelImport: ({ importId }) => {
      const r = running.get(importId)
      r?.controller.abort()
      return { cancelled: !!r }
    },
    listImports: ({ datasetId }) => listImports(db, datasetId),
    getImportReport: ({ importId }) => getImportReport(db, importId),

    listClasses: ({ datasetId }) => listClasses(db, datasetId),
    listItems: (req) => listItems(db, req),
    getItem: ({ itemId }) => getItem(db, itemId),

    relabel: ({ itemIds, classId }) =>
      curate(datasetOfItems(db, itemIds), 'relabel', () => relabelItems(db, itemIds, classId)),
    setExcluded: ({ itemIds, excluded, reason }) =>
      curate(datasetOfItems(db, itemIds), excluded ? 'exclude' : 'include', () =>
        setExcluded(db, itemIds, excluded, reason)
      ),
    addClass: ({ datasetId, name }) => curate(datasetId, 'add-class', () => addClass(db, datasetId, name)),
    renameClass: ({ classId, name }) =>
      curate(requireClass(db, classId).dataset_id, 'rename-class', () => renameClass(db, classId, name)),
    mergeClasses: ({ sourceClassIds, targetClassId }) =>
      curate(requireClass(db, targetClassId).dataset_id, 'merge-classes', () =>
        mergeClasses(db, sourceClassIds, targetClassId)
      ),
    setNote: ({ itemId, note }) => curate(datasetOfItems(db, [itemId]), 'note', () => setNote(db, itemId, note)),
    updateTags: ({ itemIds, add, remove }) =>
      curate(datasetOfItems(db, itemIds), 'tags', () => updateTags(db, itemIds, add, remove)),

    history: ({ datasetId }) => listOps(db, datasetId),
    undo: ({ datasetId, count }) => {
      const undone = undoOps(db, datasetId, count)
      if (undone.length) changed(datasetId, 'undo')
      return { undone }
    },

    split: (req) => curate(datasetIdOf(req), 'split', () => splitDataset(db, req.datasetId, req)),
    previewGrouping: ({ datasetId, groupBy }) => {
      requireDataset(db, datasetId)
      const rows = loadSplitRows(db, datasetId)
      return { preview: previewGrouping(rows, groupBy), suggestion: suggestGrouping(rows) }
    },
    leakage: ({ datasetId, threshold, pixelThreshold }) =>
      findLeakage(db, datasetId, { threshold, pixelThreshold, cacheDir: ctx.workspace.cacheDir }),
    resolveLeakage: ({ datasetId, ...req }) =>
      req.dryRun
        ? resolveLeakage(db, datasetId, req)
        : curate(datasetId, 'leakage', () => resolveLeakage(db, datasetId, req)),

    createVersion: ({ datasetId, note }) => {
      const v = createVersion(db, datasetId, note)
      changed(datasetId, 'version')
      return v
    },
    listVersions: ({ datasetId }) => listVersions(db, datasetId),
    async exportDataset(req) {
      const jobId = ctx.jobs.start('export', `Export ${getDataset(db, req.datasetId).name} (${req.layout})`)
      try {
        const res = await exportDataset(db, req)
        ctx.jobs.update(jobId, { state: 'done', progress: 1, message: `${res.items} item(s) to ${res.dest}` })
        return res
      } catch (err) {
        ctx.jobs.update(jobId, { state: 'failed', message: (err as Error).message })
        throw err
      }
    }
  }
}

const datasetIdOf = (r: { datasetId: number }) => r.datasetId
