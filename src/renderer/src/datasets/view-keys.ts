import type { DatasetsState } from './datasets-state.svelte'
import { gridActionForKey } from './shortcuts'

/**
 * The Datasets view's window key handler: curation shortcuts on the items tab (undo on every tab but the
 * review queue, which has its own keys and whose undo also steps the queue back). Keys typed into form fields
 * and Enter/Space on a focused button are left to them.
 */
export function datasetsKeyHandler(s: DatasetsState, openTarget: () => void): (e: KeyboardEvent) => void {
  const g = s.grid
  return (e) => {
    if (!s.current || s.tab === 'review') return
    const t = e.target as HTMLElement | null
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return
    if (t?.tagName === 'BUTTON' && (e.key === 'Enter' || e.key === ' ')) return
    const action = gridActionForKey(e)
    if (!action || (s.tab !== 'items' && action.kind !== 'undo')) return
    e.preventDefault()
    // A held key must not fire dozens of curation calls.
    if (e.repeat && action.kind !== 'move') return
    switch (action.kind) {
      case 'relabel':
        return void s.relabelToIndex(action.classIndex)
      case 'toggle-excluded':
        return void s.toggleExcluded()
      case 'exclude':
        return void s.setExcluded(true)
      case 'open':
        return openTarget()
      case 'undo':
        return void s.undo()
      case 'select-all':
        return g.selectAll()
      case 'clear':
        return g.clearSelection()
      case 'move':
        return void g.move(action.move, action.extend)
      case 'toggle-cursor':
        return g.toggleCursor()
    }
  }
}
