/** What `sortSeries` looks at: DICOM (0020,0032), (0020,0037) and (0020,0013). */
export interface SliceGeometry {
  imagePositionPatient?: number[]
  imageOrientationPatient?: number[]
  instanceNumber?: number
}

/** Slice normal = row cosines × column cosines (PS3.3 C.7.6.2.1.1); undefined for a missing or degenerate IOP. */
export function sliceNormal(iop: number[] | undefined): [number, number, number] | undefined {
  if (!iop || iop.length < 6 || iop.some((v) => !Number.isFinite(v))) return undefined
  const [rx, ry, rz, cx, cy, cz] = iop
  const n: [number, number, number] = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx]
  return Math.hypot(...n) > 1e-6 ? n : undefined
}

/**
 * Sorts the slices of one series along the slice normal: by ImagePositionPatient projected on
 * row × column of ImageOrientationPatient (ascending), ties and slices without geometry by InstanceNumber.
 * The normal comes from the first slice that has a usable orientation, so all slices share one axis.
 * Slices without a position follow those with one. The input array is not modified.
 * @returns a new array in display order.
 */
export function sortSeries<T extends SliceGeometry>(items: T[]): T[] {
  const normal = items.map((i) => sliceNormal(i.imageOrientationPatient)).find((n) => n !== undefined)
  const keyed = items.map((item, index) => {
    const p = item.imagePositionPatient
    const usable = normal && p && p.length >= 3 && p.every((v) => Number.isFinite(v))
    const along = usable ? p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2] : undefined
    return { item, index, along, instance: item.instanceNumber }
  })
  keyed.sort((a, b) => {
    if (a.along !== undefined && b.along !== undefined) {
      // Positions are written with limited DS precision; treat sub-micrometre differences as equal.
      if (Math.abs(a.along - b.along) > 1e-4) return a.along - b.along
    } else if (a.along !== undefined) return -1
    else if (b.along !== undefined) return 1
    const ia = a.instance ?? Number.POSITIVE_INFINITY
    const ib = b.instance ?? Number.POSITIVE_INFINITY
    if (ia !== ib) return ia < ib ? -1 : 1
    return a.index - b.index
  })
  return keyed.map((k) => k.item)
}
