import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../shared/errors'

/** How a validation folder's class subfolders match a model's classes. */
export interface ClassFolderMatch {
  /** Model class index → its subfolder name (exact, or case-insensitive). */
  folders: Map<string, number>
  /** Subfolders whose name is no class of the model (their images are not evaluated). */
  unknownClasses: string[]
  /** Model classes that have no subfolder (the evaluation has no positives for them). */
  missingClasses: string[]
}

/**
 * Matches the subfolders of `folder` (one per class, as at import) to the model's class names,
 * case-insensitively.
 * @throws AppError NOT_FOUND when the folder does not exist, INVALID_ARGUMENT when no subfolder names a class.
 */
export function matchClassFolders(folder: string, classNames: readonly string[]): ClassFolderMatch {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true })
  } catch (err) {
    throw new AppError(
      'NOT_FOUND',
      `${folder}: cannot read the folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`
    )
  }
  const subfolders = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
  const byName = new Map(classNames.map((c, i) => [c.toLowerCase(), i]))
  const folders = new Map<string, number>()
  const unknownClasses: string[] = []
  for (const s of subfolders) {
    const k = byName.get(s.toLowerCase())
    if (k === undefined) unknownClasses.push(s)
    else folders.set(s, k)
  }
  const present = new Set(folders.values())
  const missingClasses = classNames.filter((_, i) => !present.has(i))
  if (folders.size === 0) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${folder}: no subfolder is named after a class of the model (classes: ${classNames.join(', ')}; subfolders: ${subfolders.length ? subfolders.join(', ') : 'none'}). Put each class's images in a subfolder named after it.`
    )
  }
  return { folders, unknownClasses, missingClasses }
}

/** The class index of an image by its class subfolder (first path segment under `folder`), or null. */
export function classOfPath(folder: string, file: string, match: ClassFolderMatch): number | null {
  const rel = path.relative(folder, file).split(path.sep)
  if (rel.length < 2 || rel[0] === '..') return null
  return match.folders.get(rel[0]) ?? null
}
