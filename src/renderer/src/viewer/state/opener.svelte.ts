import type { OpenResult } from '../../../../shared/contract/imaging'
import { api } from '../../lib/api'
import { uploadDroppedFile } from '../drop-upload'

/**
 * Opening files and folders: the path field, the open in progress, its error, dropped-file uploads and the
 * open-to-first-paint time. `onOpened` receives each successful listing (the viewer then picks a series).
 */
export class OpenerState {
  /** Text of the "Open path" field. */
  pathInput = $state('')
  opened = $state.raw<OpenResult | null>(null)
  /** Why the last open failed (refused path, missing file, upload error). */
  openError = $state<string | null>(null)
  opening = $state(false)
  /** Upload progress of dropped files, e.g. 'Uploading scan.dcm 40%'. */
  uploadStatus = $state<string | null>(null)
  /** Time from starting an open to the first slice on screen, ms (shown, and read by the e2e test). */
  firstPaintMs = $state<number | null>(null)
  private startedAt: number | null = null

  constructor(private readonly onOpened: (res: OpenResult) => void) {}

  /** Opens what the user typed in the path field. */
  async openTyped(): Promise<void> {
    const p = this.pathInput.trim()
    if (!p) {
      this.openError = 'Type the path of a DICOM/PNG/JPEG file or of a folder to open'
      return
    }
    await this.openPaths([p])
  }

  /** Grants and lists `paths`, then hands the listing to the viewer. */
  async openPaths(paths: string[]): Promise<void> {
    this.opening = true
    this.openError = null
    this.startedAt = performance.now()
    this.firstPaintMs = null
    try {
      const res = await api.imaging.openPaths({ paths })
      this.opened = res
      if (res.series.length === 0) {
        this.openError = `No DICOM, PNG or JPEG images found in ${paths.join(', ')}`
        this.startedAt = null
      }
      this.onOpened(res)
    } catch (err) {
      this.openError = (err as Error).message
      this.startedAt = null
    } finally {
      this.opening = false
    }
  }

  /** Uploads dropped files (browser drops carry no path) and opens them together. */
  async openDropped(files: File[]): Promise<void> {
    if (files.length === 0) return
    this.openError = null
    const paths: string[] = []
    try {
      for (const f of files.slice(0, 64)) {
        paths.push(
          await uploadDroppedFile(f, api.imaging.openBytes, (sent, total) => {
            this.uploadStatus = `Uploading ${f.name} ${Math.floor((sent / total) * 100)}%`
          })
        )
      }
    } catch (err) {
      this.openError = (err as Error).message
    } finally {
      this.uploadStatus = null
    }
    if (paths.length) {
      this.pathInput = paths.length === 1 ? paths[0] : ''
      await this.openPaths(paths)
    }
  }

  /** Called after a frame was drawn; the first paint after an open yields the open-to-first-paint time. */
  notePainted(): void {
    if (this.startedAt === null) return
    this.firstPaintMs = Math.round(performance.now() - this.startedAt)
    this.startedAt = null
  }
}
