import type { DataSet } from 'dicom-parser'

/** Key dicom-parser uses for a numeric tag: 0x00280010 → 'x00280010'. */
export function key(tag: number): string {
  return 'x' + (tag >>> 0).toString(16).padStart(8, '0')
}

/** All values of a text element, split on '\', trimmed, NUL padding removed; [] when absent or empty. */
export function strings(ds: DataSet, tag: number): string[] {
  const el = ds.elements[key(tag)]
  if (!el || el.length <= 0) return []
  if (el.dataOffset + el.length > ds.byteArray.length) return []
  const raw = Buffer.from(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, el.length).toString('latin1')
  return raw
    .replace(/\0+$/, '')
    .split('\\')
    .map((s) => s.trim())
}

/** First value of a text element, or undefined when absent or blank. */
export function text(ds: DataSet, tag: number): string | undefined {
  const v = strings(ds, tag)[0]
  return v === undefined || v === '' ? undefined : v
}

/** Numeric values of a DS or IS element; non-numeric entries are dropped. */
export function numbers(ds: DataSet, tag: number): number[] {
  return strings(ds, tag)
    .filter((s) => s !== '')
    .map(Number)
    .filter((n) => Number.isFinite(n))
}

/** First numeric value of a DS/IS element. */
export function number(ds: DataSet, tag: number): number | undefined {
  return numbers(ds, tag)[0]
}

/** A US value (honours the data set's byte order), or undefined when absent. */
export function ushort(ds: DataSet, tag: number, index = 0): number | undefined {
  const el = ds.elements[key(tag)]
  if (!el || el.length < (index + 1) * 2) return undefined
  return ds.uint16(key(tag), index)
}

/** All US values of an element (e.g. a 3-value LUT descriptor). */
export function ushorts(ds: DataSet, tag: number): number[] {
  const el = ds.elements[key(tag)]
  if (!el) return []
  const out: number[] = []
  for (let i = 0; i < Math.floor(el.length / 2); i++) out.push(ds.uint16(key(tag), i) as number)
  return out
}

/** The raw bytes of an element (a view, not a copy). */
export function bytesOf(ds: DataSet, tag: number): Uint8Array | undefined {
  const el = ds.elements[key(tag)]
  if (!el) return undefined
  return new Uint8Array(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, Math.max(0, el.length))
}

/** The first item of a sequence, or undefined. */
export function firstItem(ds: DataSet, tag: number): DataSet | undefined {
  return ds.elements[key(tag)]?.items?.[0]?.dataSet
}

/** Item `index` of a sequence, or undefined. */
export function item(ds: DataSet, tag: number, index: number): DataSet | undefined {
  return ds.elements[key(tag)]?.items?.[index]?.dataSet
}
