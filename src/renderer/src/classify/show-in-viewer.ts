import type { ViewerPlane } from '../../../shared/contract/imaging'
import type { ImagePrediction } from '../../../shared/contract/inference'
import { viewerState } from '../viewer/viewer-state.svelte'

/**
 * Shows a classified image in the viewer: opens the folder holding it (so the series can be scrolled, each
 * classified slice with its overlay) and goes to its slice or frame. Returns why it could not, or null.
 * @param plane the plane the job sliced volumes along (InferenceJobSummary.volumePlane): a volume's `frame` is a
 * slice of it.
 */
export async function showInViewer(p: ImagePrediction, plane: ViewerPlane = 'axial'): Promise<string | null> {
  const v = viewerState
  const dir = p.path.slice(0, Math.max(p.path.lastIndexOf('/'), p.path.lastIndexOf('\\'))) || p.path
  // Stepping through results of one folder must not rescan it every time.
  if (!v.opened?.roots.includes(dir)) {
    v.opener.pathInput = dir
    await v.openPaths([dir])
  }
  if (v.opener.openError && !v.opened) return v.opener.openError
  const series = v.series.find((s) => s.entries.some((e) => e.path === p.path))
  if (!series) return `${p.path} is no longer in its folder`
  if (series.key !== v.seriesKey) v.selectSeries(series.key)
  // A volume is classified slice by slice along the job's plane.
  if (p.kind === 'nifti') v.setPlane(plane)
  const at = v.stack.findIndex((s) => s.entry.path === p.path && s.frame === p.frame)
  if (at >= 0) v.go(at)
  return null
}
