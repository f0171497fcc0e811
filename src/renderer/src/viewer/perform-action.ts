import type { ViewerAction } from './shortcuts'
import type { ViewerState } from './viewer-state.svelte'

/** Runs action `a` on the viewer `v` (keys and toolbar buttons); false when it did not apply. */
export function performAction(v: ViewerState, a: ViewerAction): boolean {
  switch (a.kind) {
    case 'step':
      v.stopCine()
      v.step(a.by)
      return true
    case 'first':
      v.go(0)
      return true
    case 'last':
      v.go(v.stack.length - 1)
      return true
    case 'zoom':
      v.transform.zoom(a.factor)
      return true
    case 'fit':
      v.transform.fit()
      return true
    case 'actual-size':
      v.transform.actualSize()
      return true
    case 'invert':
      v.wl.toggleInvert()
      return true
    case 'reset-window':
      v.wl.reset()
      return true
    case 'next-file-window':
      v.wl.nextFileWindow()
      return true
    case 'preset':
      if (!v.presets.some((p) => p.id === a.id)) return false
      v.wl.applyPreset(a.id)
      return true
    case 'cine':
      v.cine.toggle(v.stack.length)
      return true
    case 'tags':
      v.tags.toggle(v.current?.entry.path ?? null)
      return true
    case 'anonymise':
      v.prefs.toggleAnonymise()
      return true
    case 'measure':
      v.measure.setTool(a.tool)
      return true
    case 'compare':
      if (!v.compare.active && v.compare.candidates.length === 0) return false
      v.compare.toggle()
      return true
    case 'sync':
      if (!v.compare.active) return false
      v.compare.toggleSync()
      return true
    case 'help':
      v.showHelp = !v.showHelp
      return true
    case 'close':
      if (!v.showHelp && !v.tags.visible && v.measure.tool === 'none') return false
      v.measure.tool = 'none'
      v.showHelp = false
      v.tags.visible = false
      return true
  }
}
