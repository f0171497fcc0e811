import fs from 'node:fs'
import path from 'node:path'
import type { BackboneCheck } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'

/**
 * Copies checked backbone weights (a Keras .h5 file, or a tfjs model folder) into the workspace at
 * models/backbones/<sha256>/, so runs keep working when the original moves or its drive is unplugged, and the
 * run record's path stays valid. Content-addressed: importing the same weights twice reuses the copy.
 * Returns the copy's path (the file for .h5, the folder for tfjs), or null for built-in backbones.
 */
export function importBackbone(modelsDir: string, check: BackboneCheck): string | null {
  const { kind, path: from, sha256 } = check.source
  if ((kind !== 'keras-h5' && kind !== 'tfjs-dir') || !from || !sha256) return null
  return copyIntoBackbones(modelsDir, from, sha256, kind === 'keras-h5' ? 'file' : 'dir')
}

/**
 * The copy itself, for any backbone weights (also ONNX encoders, with their declaration as a sidecar file
 * named in `sidecars`): a file lands as models/backbones/<sha256>/<name>, a folder as the folder itself.
 */
export function copyIntoBackbones(
  modelsDir: string,
  from: string,
  sha256: string,
  shape: 'file' | 'dir',
  sidecars: Record<string, string> = {}
): string {
  const dir = path.join(modelsDir, 'backbones', sha256)
  const target = shape === 'file' ? path.join(dir, path.basename(from)) : dir
  if (path.resolve(from) === path.resolve(target)) return target
  if (fs.existsSync(path.join(dir, '.complete'))) {
    for (const [name, text] of Object.entries(sidecars)) fs.writeFileSync(path.join(dir, name), text)
    return target
  }
  const partial = `${dir}.partial-${process.pid}`
  try {
    fs.rmSync(partial, { recursive: true, force: true })
    fs.mkdirSync(partial, { recursive: true })
    if (shape === 'file') fs.copyFileSync(from, path.join(partial, path.basename(from)))
    else fs.cpSync(from, partial, { recursive: true, dereference: true })
    for (const [name, text] of Object.entries(sidecars)) fs.writeFileSync(path.join(partial, name), text)
    fs.writeFileSync(path.join(partial, '.complete'), `${sha256}\n${from}\n`)
    fs.rmSync(dir, { recursive: true, force: true })
    // Renamed whole, so a crash never leaves a half copy that looks complete.
    fs.renameSync(partial, dir)
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true })
    throw new AppError(
      'IO',
      `backbone ${from} could not be copied into the workspace (${dir}): ${(err as Error).message}`
    )
  }
  return target
}
