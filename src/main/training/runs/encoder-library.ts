import fs from 'node:fs'
import path from 'node:path'
import {
  OnnxEncoderDeclarationInput,
  type ImportedEncoder,
  type OnnxEncoderCheck
} from '../../../shared/contract/onnx-encoder'
import { AppError } from '../../../shared/errors'
import { describeIssues } from '../../../shared/zod-issues'
import { checkEncoderJob } from '../../backbone-runtime/onnx-encoder/check-encoder'
import type { EngineConfig } from '../../engine/engine-config'
import { runInEngine } from '../../engine/engine-host'
import { copyIntoBackbones } from './import-backbone'

/** The sidecar written beside an imported encoder: its file name, SHA-256 and resolved declaration. */
export const ENCODER_SIDECAR = 'neuropath-encoder.json'

/**
 * Reads a declaration: the file given (`--backbone-config`), else `<encoder>.json` or
 * `neuropath-encoder.json` beside the encoder. Rejects naming the file and each bad field; NOT_FOUND when
 * none exists (the declaration's normalisation cannot be inferred from a graph).
 */
export function readDeclaration(encoderPath: string, configFile?: string): OnnxEncoderDeclarationInput {
  const candidates = configFile
    ? [configFile]
    : [`${encoderPath}.json`, path.join(path.dirname(encoderPath), ENCODER_SIDECAR)]
  const file = candidates.find((f) => fs.existsSync(f))
  if (!file) {
    throw new AppError(
      'NOT_FOUND',
      `no declaration for ${path.basename(encoderPath)}: write ${path.basename(candidates[0])} (at least {"normalisation": {"preset": "imagenet"}}) or pass --backbone-config FILE`
    )
  }
  let json: unknown
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `${file}: not a readable JSON declaration: ${(err as Error).message}`)
  }
  // The sidecar of an imported copy holds the declaration under "declaration".
  const body =
    json && typeof json === 'object' && 'declaration' in json ? (json as { declaration: unknown }).declaration : json
  const parsed = OnnxEncoderDeclarationInput.safeParse(body)
  if (!parsed.success)
    throw new AppError('INVALID_ARGUMENT', `${file}: ${describeIssues(parsed.error, { root: 'declaration' })}`)
  return body as OnnxEncoderDeclarationInput
}

/**
 * "Check": runs the 'check-encoder' job in an engine process (two generated images through the encoder),
 * then copies the file with its resolved declaration into models/backbones/<sha256>/ so runs never depend
 * on the outside path. A degenerate encoder is still reported (with the reason) but not imported.
 */
export async function checkAndImportEncoder(
  engine: EngineConfig,
  modelsDir: string,
  file: string,
  declaration: OnnxEncoderDeclarationInput
): Promise<OnnxEncoderCheck> {
  const check = await runInEngine({
    ...engine,
    job: checkEncoderJob,
    params: { path: path.resolve(file), declaration: parseDeclaration(declaration, file) },
    onEvent: () => undefined
  })
  if (check.degenerate) return { ...check, importedPath: null }
  const sidecar = JSON.stringify(
    { fileName: check.fileName, sha256: check.sha256, bytes: check.bytes, declaration: check.declaration },
    null,
    2
  )
  const importedPath = copyIntoBackbones(modelsDir, path.resolve(file), check.sha256, 'file', {
    [ENCODER_SIDECAR]: sidecar + '\n'
  })
  return { ...check, importedPath }
}

function parseDeclaration(d: OnnxEncoderDeclarationInput, file: string) {
  const parsed = OnnxEncoderDeclarationInput.safeParse(d)
  if (!parsed.success)
    throw new AppError(
      'INVALID_ARGUMENT',
      `declaration of ${path.basename(file)}: ${describeIssues(parsed.error, { root: 'declaration' })}`
    )
  return parsed.data
}

/** The encoders imported into the workspace, by file name. Folders without a readable sidecar are skipped. */
export function listEncoders(modelsDir: string): ImportedEncoder[] {
  const root = path.join(modelsDir, 'backbones')
  if (!fs.existsSync(root)) return []
  const out: ImportedEncoder[] = []
  for (const sha of fs.readdirSync(root)) {
    const sidecar = path.join(root, sha, ENCODER_SIDECAR)
    if (!/^[0-9a-f]{64}$/.test(sha) || !fs.existsSync(sidecar)) continue
    try {
      const s = JSON.parse(fs.readFileSync(sidecar, 'utf8')) as Omit<ImportedEncoder, 'path'>
      out.push({ ...s, sha256: sha, path: path.join(root, sha, s.fileName) })
    } catch {
      // A damaged sidecar: the folder is not listed; `backbones remove` can still delete it by SHA-256.
    }
  }
  return out.sort((a, b) => a.fileName.localeCompare(b.fileName))
}

/** Removes an imported backbone folder by its SHA-256 (or a unique prefix of ≥ 8 hex digits). */
export function removeBackbone(modelsDir: string, shaOrPrefix: string): string {
  const root = path.join(modelsDir, 'backbones')
  if (!/^[0-9a-f]{8,64}$/.test(shaOrPrefix))
    throw new AppError('INVALID_ARGUMENT', `"${shaOrPrefix}" is not a SHA-256 (or a prefix of at least 8 hex digits)`)
  const hits = fs.existsSync(root)
    ? fs.readdirSync(root).filter((d) => /^[0-9a-f]{64}$/.test(d) && d.startsWith(shaOrPrefix))
    : []
  if (hits.length === 0) throw new AppError('NOT_FOUND', `no imported backbone ${shaOrPrefix} in ${root}`)
  if (hits.length > 1)
    throw new AppError('INVALID_ARGUMENT', `${shaOrPrefix} matches ${hits.length} backbones; give more digits`)
  fs.rmSync(path.join(root, hits[0]), { recursive: true, force: true })
  return hits[0]
}

/**
 * The imported encoder a training configuration names (backbone.sha256), for starting a run: the config with
 * the encoder's resolved declaration filled in when it has none (so the run record holds it), and the file.
 * @throws AppError NOT_FOUND naming the SHA-256 when no such encoder is imported.
 */
export function encoderForRun<
  C extends { inputSize: number; backbone: { kind: string; sha256?: string; declaration?: { inputSize?: number } } }
>(modelsDir: string, config: C): { config: C; encoderPath: string } | null {
  if (config.backbone.kind !== 'onnx-encoder') return null
  const sha = config.backbone.sha256 ?? ''
  const found = listEncoders(modelsDir).find((e) => e.sha256 === sha)
  if (!found)
    throw new AppError(
      'NOT_FOUND',
      `no imported ONNX encoder ${sha.slice(0, 12)}… in ${path.join(modelsDir, 'backbones')}: import it with Check (or \`neuropath backbones check FILE\`) first`
    )
  const declaration = config.backbone.declaration ?? found.declaration
  const size = declaration.inputSize ?? found.declaration.inputSize
  if (size !== config.inputSize)
    throw new AppError(
      'INVALID_ARGUMENT',
      `inputSize: encoder ${found.fileName} takes ${size} px inputs but the configuration says ${config.inputSize} px`
    )
  return { config: { ...config, backbone: { ...config.backbone, declaration } }, encoderPath: found.path }
}
