/** MIME type of a drag of grid items onto the class list (the payload is the item count; the ids stay in state). */
export const ITEM_DRAG_MIME = 'application/x-neuropath-items'

/** Whether a drag carries grid items (a DataTransfer's `types`, which is all a dragover may read). */
export function isItemDrag(types: readonly string[] | undefined): boolean {
  return !!types && types.includes(ITEM_DRAG_MIME)
}
