import { api } from '../../lib/api'

/** Catalog setting holding the viewer preferences below. */
export const VIEWER_PREFS_SETTING = 'viewer.prefs'

/** What the mouse wheel does without Ctrl: scroll slices (PACS/OHIF convention) or zoom (the old behaviour). */
export type WheelMode = 'scroll' | 'zoom'

/**
 * Viewer preferences kept in the workspace settings: the wheel convention and whether the overlay hides
 * patient name and ID (the "anonymise overlay" toggle, A, for screenshots).
 */
export class ViewerPrefs {
  wheel = $state<WheelMode>('scroll')
  anonymise = $state(false)
  private loaded = false

  /** Reads the stored preferences once; a missing or malformed value keeps the defaults. */
  async load(): Promise<void> {
    if (this.loaded) return
    this.loaded = true
    try {
      const s = await api.catalog.getSetting({ key: VIEWER_PREFS_SETTING })
      const v = (s?.value ?? {}) as { wheel?: unknown; anonymise?: unknown }
      if (v.wheel === 'scroll' || v.wheel === 'zoom') this.wheel = v.wheel
      if (typeof v.anonymise === 'boolean') this.anonymise = v.anonymise
    } catch {
      // Preferences are a convenience: without the catalog the defaults apply.
    }
  }

  setWheel(mode: WheelMode): void {
    this.wheel = mode
    this.save()
  }

  toggleAnonymise(): void {
    this.anonymise = !this.anonymise
    this.save()
  }

  private save(): void {
    void api.catalog
      .setSetting({ key: VIEWER_PREFS_SETTING, value: { wheel: this.wheel, anonymise: this.anonymise } })
      .catch(() => undefined)
  }
}
