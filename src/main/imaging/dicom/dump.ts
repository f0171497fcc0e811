import type { DataSet, Element } from 'dicom-parser'
import type { DicomTag } from '../types'
import { formatTag, lookupTag, tagNumber, TEXT_VRS } from './dictionary'
import { readDicomFile } from './parse'

const MAX_VALUE = 256

function clip(s: string): string {
  return s.length > MAX_VALUE ? s.slice(0, MAX_VALUE - 1) + '…' : s
}

function numbersOf(ds: DataSet, el: Element, vr: string): string {
  const size = vr === 'FD' || vr === 'SV' || vr === 'UV' ? 8 : vr === 'US' || vr === 'SS' ? 2 : 4
  const count = Math.floor(el.length / size)
  const out: string[] = []
  for (let i = 0; i < count && out.join('\\').length <= MAX_VALUE; i++) {
    if (vr === 'US') out.push(String(ds.uint16(el.tag, i)))
    else if (vr === 'SS') out.push(String(ds.int16(el.tag, i)))
    else if (vr === 'UL') out.push(String(ds.uint32(el.tag, i)))
    else if (vr === 'SL') out.push(String(ds.int32(el.tag, i)))
    else if (vr === 'FL') out.push(String(ds.float(el.tag, i)))
    else if (vr === 'FD') out.push(String(ds.double(el.tag, i)))
    else if (vr === 'AT') {
      const g = ds.uint16(el.tag, i * 2) as number
      const e = ds.uint16(el.tag, i * 2 + 1) as number
      out.push(formatTag(((g << 16) | e) >>> 0))
    } else {
      const dv = new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset + i * 8, 8)
      const le = (el.parser ?? ds.byteArrayParser).readUint16(Uint8Array.of(1, 0), 0) === 1
      out.push(String(vr === 'SV' ? dv.getBigInt64(0, le) : dv.getBigUint64(0, le)))
    }
  }
  return out.join('\\')
}

function valueOf(ds: DataSet, el: Element, vr: string): string {
  if (el.encapsulatedPixelData) {
    const bytes = (el.fragments ?? []).reduce((n, f) => n + f.length, 0)
    return `<encapsulated: ${el.fragments?.length ?? 0} fragments, ${bytes} bytes>`
  }
  if (el.length <= 0) return ''
  if (el.dataOffset + el.length > ds.byteArray.length) return `<${el.length} bytes, truncated>`
  if (TEXT_VRS.has(vr)) {
    const raw = Buffer.from(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, el.length).toString('latin1')
    return raw.replace(/\0+$/, '').trimEnd()
  }
  if (['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'AT', 'SV', 'UV'].includes(vr)) return numbersOf(ds, el, vr)
  return `<${el.length} bytes>`
}

function walk(ds: DataSet, depth: number, out: DicomTag[]): void {
  const keys = Object.keys(ds.elements).sort()
  for (const k of keys) {
    const el = ds.elements[k]
    const n = tagNumber(k)
    const dict = lookupTag(n)
    const vr = el.vr ?? (el.items ? 'SQ' : (dict?.vr ?? 'UN'))
    const keyword = dict?.keyword ?? ''
    if (el.items) {
      out.push({ tag: formatTag(n), keyword, vr: 'SQ', value: `<${el.items.length} items>`, depth })
      el.items.forEach((it, i) => {
        out.push({ tag: '(FFFE,E000)', keyword: 'Item', vr: 'na', value: `item ${i + 1}`, depth: depth + 1 })
        if (it.dataSet) walk(it.dataSet, depth + 2, out)
      })
      continue
    }
    out.push({ tag: formatTag(n), keyword, vr, value: clip(valueOf(ds, el, vr)), depth })
  }
}

/**
 * Every element of a DICOM file (meta group included) in tag order, sequences flattened:
 * each item gets an '(FFFE,E000)' row at depth+1 and its elements at depth+2.
 */
export async function dumpTags(filePath: string): Promise<DicomTag[]> {
  const parsed = await readDicomFile(filePath)
  const out: DicomTag[] = []
  walk(parsed.dataSet, 0, out)
  return out
}
