import { DatasetsState } from './datasets-state.svelte'
import { ExportState } from './export-state.svelte'
import { ImportState } from './import-state.svelte'
import { LeakageState } from './leakage-state.svelte'
import { SplitState } from './split-state.svelte'

/**
 * The Datasets view's state, one instance per window, kept at module level so that switching to the viewer and
 * back keeps the chosen dataset, filters, selection and panel contents (as the viewer's state does).
 */
export const datasetsState = new DatasetsState()

/** The import form; a finished import selects its dataset and shows its report (also when started from the empty state). */
export const importState = new ImportState((result) => {
  datasetsState.tab = 'import'
  void datasetsState.load().then(() => {
    void datasetsState.select(result.datasetId)
    void importState.loadPast(result.datasetId)
  })
})

// The backend's onChanged event refreshes the view too; calling it directly keeps the view right if an event is lost.
const refresh = () => datasetsState.scheduleRefresh(datasetsState.selectedId ?? undefined)
export const splitState = new SplitState(refresh)
export const leakageState = new LeakageState(refresh)
export const exportState = new ExportState(refresh)
