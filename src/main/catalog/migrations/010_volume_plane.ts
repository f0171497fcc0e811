import type { Migration } from './types'

/**
 * Classification of volumes along a chosen plane (#16): `inference_jobs.volume_plane` is the plane NIfTI volumes
 * were sliced along ('axial', 'coronal' or 'sagittal'), so a result's frame number names the right slice when it
 * is shown again. Jobs that ran before classified volumes axially.
 */
export const m010VolumePlane: Migration = {
  version: 10,
  name: 'classification volume plane',
  up(db) {
    db.exec(`ALTER TABLE inference_jobs ADD COLUMN volume_plane TEXT NOT NULL DEFAULT 'axial';`)
  }
}
