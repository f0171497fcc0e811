/**
 * Adam's element loop as a tiny WebAssembly SIMD function (f32x4), assembled here from its opcodes so the
 * maths stays readable and no binary blob is checked in. Why: the head has ~790,000 weights and the update
 * touches four arrays per weight every step; the scalar JavaScript loop took about as long as the whole ONNX
 * Runtime forward and backward pass. Returns null where WebAssembly SIMD is unavailable (callers then use
 * the scalar loop in adam.ts, with the same results up to float rounding).
 *
 * The function: adam(w, g, m, v, bytes, alpha, b1, b2, eps) over `bytes` (a multiple of 16) of each array,
 * byte offsets into the imported memory:
 *   m ← m + (g − m)·b1;  v ← v + (g² − v)·b2;  w ← w − alpha·m/(√v + eps)
 */
export type AdamKernel = (
  w: number,
  g: number,
  m: number,
  v: number,
  bytes: number,
  alpha: number,
  b1: number,
  b2: number,
  eps: number
) => void

// Opcodes (WebAssembly core 2.0 + fixed-width SIMD).
const GET = 0x20
const SET = 0x21
const TEE = 0x22
const I32_ADD = 0x6a
const I32_GE_U = 0x4f
const I32_CONST = 0x41
const SIMD = 0xfd
const LOAD = [SIMD, 0x00, 0x04, 0x00] // v128.load align=16 offset=0
const STORE = [SIMD, 0x0b, 0x04, 0x00] // v128.store align=16 offset=0
const SPLAT = [SIMD, 0x13] // f32x4.splat
const SQRT = [SIMD, 0xe3, 0x01]
const ADD = [SIMD, 0xe4, 0x01]
const SUB = [SIMD, 0xe5, 0x01]
const MUL = [SIMD, 0xe6, 0x01]
const DIV = [SIMD, 0xe7, 0x01]

// Locals: params 0–8 (w g m v bytes alpha b1 b2 eps), then i (i32) and v128 A B1 B2 E G M V.
const [W, G, M, V, BYTES, ALPHA, B1, B2, EPS] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
const [I, VA, VB1, VB2, VE, VG, VM, VV] = [9, 10, 11, 12, 13, 14, 15, 16]

const at = (base: number): number[] => [GET, base, GET, I, I32_ADD]

// One instruction sequence per line (prettier would put every opcode on its own line).
// prettier-ignore
const body: number[] = [
  ...[ALPHA, B1, B2, EPS].flatMap((p, k) => [GET, p, ...SPLAT, SET, [VA, VB1, VB2, VE][k]]),
  0x02, 0x40, // block
  0x03, 0x40, // loop
  GET, I, GET, BYTES, I32_GE_U, 0x0d, 1, // br_if out of the block when i ≥ bytes
  ...at(G), ...LOAD, SET, VG,
  // m ← m + (g − m)·b1, stored and kept in VM
  ...at(M), ...at(M), ...LOAD, SET, VM, GET, VM, GET, VG, GET, VM, ...SUB, GET, VB1, ...MUL, ...ADD, TEE, VM, ...STORE,
  // v ← v + (g·g − v)·b2, stored and kept in VV
  ...at(V), ...at(V), ...LOAD, SET, VV, GET, VV, GET, VG, GET, VG, ...MUL, GET, VV, ...SUB, GET, VB2, ...MUL, ...ADD, TEE, VV, ...STORE,
  // w ← w − (A·m)/(√v + E)
  ...at(W), ...at(W), ...LOAD, GET, VA, GET, VM, ...MUL, GET, VV, ...SQRT, GET, VE, ...ADD, ...DIV, ...SUB, ...STORE,
  GET, I, I32_CONST, 16, I32_ADD, SET, I,
  0x0c, 0, // br to the loop
  0x0b, // end loop
  0x0b, // end block
  0x0b // end function
]

function section(id: number, bytes: number[]): number[] {
  return [id, ...leb(bytes.length), ...bytes]
}

function leb(n: number): number[] {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return out
}

const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))]

function moduleBytes(): Uint8Array {
  const locals = [2, 1, 0x7f, 7, 0x7b] // 1 × i32, 7 × v128
  const code = [...locals, ...body]
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 9, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7d, 0x7d, 0x7d, 0x7d, 0]),
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('adam'), 0x00, 0]),
    ...section(10, [1, ...leb(code.length), ...code])
  ])
}

/** A WebAssembly linear memory (its buffer is an ordinary ArrayBuffer, which ONNX Runtime accepts). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
}

/** The part of the WebAssembly global used here (the node typings of this project do not declare it). */
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
  validate(bytes: Uint8Array): boolean
}

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** A fixed-size memory of at least `bytes` bytes (it never grows, so views into it stay valid). */
export function wasmMemory(bytes: number): WasmMemory {
  return new wasm.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) })
}

/** Instantiates the kernel over `memory`, or returns null where WebAssembly SIMD does not validate. */
export function adamKernel(memory: WasmMemory): AdamKernel | null {
  const bytes = moduleBytes()
  if (!wasm.validate(bytes)) return null
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { mem: memory } })
  return instance.exports.adam as AdamKernel
}
