import fs from 'node:fs'
import path from 'node:path'
import { atomicWrite, atomicWriteAsync } from '../../fs/atomic-write'
import { AppError } from '../../../shared/errors'
import type { NamedWeights } from '../loop/weights'

/**
 * NamedWeights on disk: `<name>.json` (names and shapes) + `<name>.bin` (float32 little-endian, concatenated).
 * Writes go to temporary files renamed into place, so a crash or a full disk never leaves a half-written
 * checkpoint where a good one was. `durable: false` skips the fsync (see atomicWrite).
 */
export function writeWeightsFile(
  dir: string,
  name: string,
  weights: NamedWeights,
  opts: { durable?: boolean } = {}
): void {
  const { bin, manifest } = encodeWeights(weights)
  atomicWrite(path.join(dir, `${name}.bin`), bin, opts)
  atomicWrite(path.join(dir, `${name}.json`), manifest, opts)
}

/** writeWeightsFile on libuv's threads (atomicWriteAsync). */
export async function writeWeightsFileAsync(
  dir: string,
  name: string,
  weights: NamedWeights,
  opts: { durable?: boolean } = {}
): Promise<void> {
  const { bin, manifest } = encodeWeights(weights)
  await atomicWriteAsync(path.join(dir, `${name}.bin`), bin, opts)
  await atomicWriteAsync(path.join(dir, `${name}.json`), manifest, opts)
}

/** The two files' bytes: float32 values concatenated, and the manifest of names, shapes and lengths. */
function encodeWeights(weights: NamedWeights): { bin: Buffer; manifest: Buffer } {
  const manifest = weights.map((w) => ({ name: w.name, shape: w.shape, length: w.values.length }))
  const total = manifest.reduce((n, m) => n + m.length, 0)
  const bin = Buffer.alloc(total * 4)
  let at = 0
  for (const w of weights) {
    Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength).copy(bin, at)
    at += w.values.byteLength
  }
  return { bin, manifest: Buffer.from(JSON.stringify(manifest)) }
}

export function readWeightsFile(dir: string, name: string): NamedWeights {
  const jsonPath = path.join(dir, `${name}.json`)
  try {
    const manifest = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as {
      name: string
      shape: number[]
      length: number
    }[]
    const bin = fs.readFileSync(path.join(dir, `${name}.bin`))
    const floats = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength))
    let at = 0
    return manifest.map((m) => {
      if (!(m.length >= 0) || at + m.length > floats.length) throw new Error(`${m.name} is truncated`)
      const values = floats.slice(at, at + m.length)
      if (values.length !== m.length) throw new Error(`${m.name} is truncated`)
      at += m.length
      return { name: m.name, shape: m.shape, values }
    })
  } catch (err) {
    throw new AppError('CORRUPT', `checkpoint ${jsonPath} cannot be read: ${(err as Error).message}`)
  }
}
