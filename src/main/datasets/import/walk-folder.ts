import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../../shared/errors'
import { requireFolder } from '../../fs/require-folder'

/** A file found under a class folder. */
export interface FoundFile {
  /** Absolute path as reached from the root (symlinked folders are not resolved). */
  path: string
  /** Path relative to the root, '/'-separated; its first component is the class folder. */
  relPath: string
  /** The first-level folder name: the class. */
  className: string
  /** Bytes. */
  size: number
  /** Modification time, whole milliseconds since the epoch. */
  mtimeMs: number
}

/** Something the walk could not treat as a file of a class. */
export interface WalkProblem {
  path: string
  reason: string
  /** 'ignored': not a candidate (outside class folders); 'failed': a candidate that cannot be read. */
  outcome: 'ignored' | 'failed'
}

export type WalkEntry = { type: 'file'; file: FoundFile } | { type: 'problem'; problem: WalkProblem }

/** Folders deeper than this below the root are not entered (guards against pathological trees). */
const MAX_DEPTH = 64

const hidden = (name: string) => name.startsWith('.')

/**
 * The class folders of an import root: its first-level subfolders (symlinks to folders included), hidden ones
 * skipped, sorted by name.
 * @throws AppError NOT_FOUND (no root), INVALID_ARGUMENT (not a folder, or no class subfolders).
 */
export async function listClassFolders(root: string): Promise<string[]> {
  await requireFolder(root, 'import folder')
  const entries = await fs.readdir(root, { withFileTypes: true })
  const classes: string[] = []
  for (const e of entries) {
    if (hidden(e.name)) continue
    if (e.isDirectory()) classes.push(e.name)
    else if (e.isSymbolicLink()) {
      const target = await fs.stat(path.join(root, e.name)).catch(() => null)
      if (target?.isDirectory()) classes.push(e.name)
    }
  }
  if (classes.length === 0) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `import folder ${root} has no class subfolders: put each class's images in its own subfolder ` +
        `(${path.join(root, '<class>', '<image>')}); the subfolder name becomes the label`
    )
  }
  return classes.sort()
}

/**
 * Walks an import root depth-first, yielding every file under its class folders and a problem for each file
 * outside them or unreachable. Symlinks are followed; a folder already visited (by real path) is not entered
 * again, so symlink loops terminate. Hidden entries (".name") are skipped.
 */
export async function* walkImportRoot(root: string, classFolders: string[]): AsyncGenerator<WalkEntry> {
  const visited = new Set<string>()
  const rootEntries = await fs.readdir(root, { withFileTypes: true })
  for (const e of rootEntries) {
    if (hidden(e.name) || classFolders.includes(e.name)) continue
    const p = path.join(root, e.name)
    const st = await fs.stat(p).catch(() => null)
    if (st?.isFile())
      yield { type: 'problem', problem: { path: p, reason: 'not inside a class subfolder', outcome: 'ignored' } }
  }
  visited.add(await fs.realpath(root))
  for (const className of classFolders) {
    yield* walkDir(path.join(root, className), className, className, 1, visited)
  }
}

async function* walkDir(
  dir: string,
  rel: string,
  className: string,
  depth: number,
  visited: Set<string>
): AsyncGenerator<WalkEntry> {
  let real: string
  try {
    real = await fs.realpath(dir)
  } catch (err) {
    yield {
      type: 'problem',
      problem: { path: dir, reason: `cannot resolve folder (${errCode(err)})`, outcome: 'failed' }
    }
    return
  }
  if (visited.has(real) || depth > MAX_DEPTH) return
  visited.add(real)
  let handle
  try {
    handle = await fs.opendir(dir)
  } catch (err) {
    yield { type: 'problem', problem: { path: dir, reason: `cannot list folder (${errCode(err)})`, outcome: 'failed' } }
    return
  }
  // Names are collected first so the folder handle is not held open across the consumer's awaits.
  const names: { name: string; dir: boolean; file: boolean; link: boolean }[] = []
  for await (const e of handle) {
    if (!hidden(e.name)) names.push({ name: e.name, dir: e.isDirectory(), file: e.isFile(), link: e.isSymbolicLink() })
  }
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of names) {
    const p = path.join(dir, e.name)
    const r = `${rel}/${e.name}`
    if (e.dir) {
      yield* walkDir(p, r, className, depth + 1, visited)
      continue
    }
    if (!e.file && !e.link) continue
    let st
    try {
      st = await fs.stat(p)
    } catch (err) {
      const reason = e.link ? `broken symbolic link (${errCode(err)})` : `cannot stat (${errCode(err)})`
      yield { type: 'problem', problem: { path: p, reason, outcome: 'failed' } }
      continue
    }
    if (st.isDirectory()) yield* walkDir(p, r, className, depth + 1, visited)
    else if (st.isFile())
      yield { type: 'file', file: { path: p, relPath: r, className, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) } }
  }
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message
}
