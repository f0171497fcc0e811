/**
 * WebSocket framing for the browser mode. JSON cannot carry typed arrays (image pixels, embeddings), so
 * each typed array in a message is replaced by `{ $bin: index, type }` and sent as its own binary frame
 * right after the JSON text frame, in order.
 */

export type ClientMessage = { t: 'call'; id: number; channel: string; request: unknown }
export type ServerMessage =
  | { t: 'result'; id: number; result: unknown; nbin: number }
  | { t: 'event'; channel: string; payload: unknown; nbin: number }
  | { t: 'hello'; version: string }

const TYPED = [
  'Uint8Array',
  'Uint8ClampedArray',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array'
] as const
type TypedName = (typeof TYPED)[number]

interface BinRef {
  $bin: number
  type: TypedName
}

function isBinRef(v: unknown): v is BinRef {
  return typeof v === 'object' && v !== null && typeof (v as BinRef).$bin === 'number' && 'type' in v
}

/** Replaces typed arrays by references; returns the JSON-safe value and the binary payloads in order. */
export function packBinary(value: unknown): { json: unknown; bins: ArrayBufferView[] } {
  const bins: ArrayBufferView[] = []
  const walk = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) {
      const type = v.constructor.name as TypedName
      if (!TYPED.includes(type)) throw new Error(`cannot send ${type} over the bridge`)
      bins.push(v)
      return { $bin: bins.length - 1, type } satisfies BinRef
    }
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x)
      return out
    }
    return v
  }
  return { json: walk(value), bins }
}

/** Inverse of `packBinary`: `bins[i]` is the i-th binary frame's bytes. */
export function unpackBinary(json: unknown, bins: ArrayBuffer[]): unknown {
  const walk = (v: unknown): unknown => {
    if (isBinRef(v)) {
      const buf = bins[v.$bin]
      if (!buf || !TYPED.includes(v.type)) throw new Error(`bad binary reference ${v.$bin}`)
      const Ctor = (globalThis as unknown as Record<TypedName, new (b: ArrayBuffer) => ArrayBufferView>)[v.type]
      return new Ctor(buf)
    }
    if (Array.isArray(v)) return v.map(walk)
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) out[k] = walk(x)
      return out
    }
    return v
  }
  return walk(json)
}
