import fs from 'node:fs'
import type { Dataset, Group, OutputData } from 'h5wasm'

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])

/**
 * Whether a file carries the HDF5 superblock signature, which sits at byte 0, 512, 1024, 2048, …
 * Checked before h5wasm opens the file, because the HDF5 library prints diagnostics for non-HDF5 input.
 */
export function hasHdf5Signature(file: string): boolean {
  const fd = fs.openSync(file, 'r')
  try {
    const size = fs.fstatSync(fd).size
    const buf = Buffer.alloc(8)
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      fs.readSync(fd, buf, 0, 8, offset)
      if (buf.equals(HDF5_SIGNATURE)) return true
    }
    return false
  } finally {
    fs.closeSync(fd)
  }
}

/** The h5wasm Node build (ESM only, real file system), imported on first use so CJS bundles can load it. */
export async function openH5wasm(): Promise<typeof import('h5wasm/node')> {
  const h5 = await import('h5wasm/node')
  await h5.ready
  return h5
}

/** An HDF5 string attribute value as string[]: h5wasm yields strings, or byte arrays for some fixed-length types. */
export function asStrings(value: OutputData | null | undefined): string[] {
  if (value === null || value === undefined) return []
  const list = Array.isArray(value) ? value : [value]
  return list.map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8').replace(/\0+$/, '') : String(v)))
}

/**
 * Keras 2's `load_attributes_from_hdf5_group`: attribute `name`, or its chunks `name0`, `name1`, … (Keras
 * splits attributes over 64 KiB), or [] when absent.
 */
export function readKerasListAttr(group: Group, name: string): string[] {
  const attrs = group.attrs
  if (attrs[name]) return asStrings(attrs[name].value)
  const out: string[] = []
  for (let i = 0; attrs[`${name}${i}`]; i++) out.push(...asStrings(attrs[`${name}${i}`].value))
  return out
}

/** One weight tensor as stored in a Keras 2 HDF5 file. */
export interface KerasH5Weight {
  /** The full weight name, e.g. 'Conv1/kernel:0'. */
  name: string
  shape: number[]
  values: Float32Array
}

/** h5wasm Dataset → float32 values; Keras stores weights as float32, older files sometimes float64. */
export function datasetFloat32(ds: Dataset): Float32Array | null {
  const v = ds.value
  if (v instanceof Float32Array) return v
  if (v instanceof Float64Array) return Float32Array.from(v)
  return null
}
