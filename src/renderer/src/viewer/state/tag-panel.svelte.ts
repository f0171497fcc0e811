import type { TagRow } from '../../../../shared/contract/imaging'

/** The DICOM tag panel: open or not, the dump of the file on screen, and the search text. */
export class TagPanelState {
  visible = $state(false)
  rows = $state.raw<TagRow[] | null>(null)
  error = $state<string | null>(null)
  query = $state('')
  private path: string | null = null

  constructor(private readonly load: (path: string) => Promise<TagRow[]>) {}

  toggle(path: string | null): void {
    this.visible = !this.visible
    this.refresh(path)
  }

  /** Loads the dump of `path` when the panel is open and the file changed; late answers are dropped. */
  refresh(path: string | null): void {
    if (!this.visible || path === this.path) return
    this.path = path
    this.rows = null
    this.error = null
    if (!path) return
    this.load(path).then(
      (rows) => {
        if (this.path === path) this.rows = rows
      },
      (err) => {
        if (this.path === path) this.error = (err as Error).message
      }
    )
  }
}
