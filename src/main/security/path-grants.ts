import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import { openError } from '../fs/open-error'

/**
 * The in-memory allow-list of filesystem roots the user granted in this session: picked in a native dialog,
 * typed into the viewer's "Open path" field, dropped, or owned by a dataset. Methods that take a path from the
 * renderer call `check` first, so the renderer cannot read files the user never chose.
 *
 * Paths are compared after `path.resolve` and `fs.realpath`, so `..` segments and symlinks cannot lead
 * outside a granted root.
 */
export class PathGrants {
  private readonly roots = new Set<string>()

  /**
   * Adds an existing file or folder to the allow-list.
   * @returns its absolute, symlink-resolved path.
   * @throws AppError NOT_FOUND when it does not exist, IO when it cannot be resolved.
   */
  async grant(p: string): Promise<string> {
    const abs = path.resolve(p)
    let real: string
    try {
      real = await fs.realpath(abs)
    } catch (err) {
      throw openError(abs, err)
    }
    this.roots.add(real)
    return real
  }

  /** The granted roots, symlink-resolved. */
  list(): string[] {
    return [...this.roots]
  }

  /** Whether an already-resolved absolute path lies in (or is) a granted root. */
  covers(real: string): boolean {
    for (const root of this.roots) {
      if (real === root) return true
      const prefix = root.endsWith(path.sep) ? root : root + path.sep
      if (real.startsWith(prefix)) return true
    }
    return false
  }

  /**
   * Resolves a path from the renderer and checks it against the allow-list.
   * @returns the absolute, symlink-resolved path to use for reading.
   * @throws AppError FORBIDDEN outside every granted root (also for missing paths there, so the renderer
   * cannot probe what exists); NOT_FOUND for a missing path inside a root.
   */
  async check(p: string): Promise<string> {
    const abs = path.resolve(p)
    const real = await resolveExisting(abs)
    if (!this.covers(real)) {
      throw new AppError('FORBIDDEN', `${abs}: not in a folder or file opened in this session; open it first`)
    }
    try {
      await fs.access(real)
    } catch {
      throw new AppError('NOT_FOUND', `no such file or folder: ${abs}`)
    }
    return real
  }
}

/**
 * realpath of the deepest existing ancestor joined with the missing rest, so a missing path is judged by
 * where it would really be (a symlinked folder inside a root may point outside it).
 */
async function resolveExisting(abs: string): Promise<string> {
  const rest: string[] = []
  let cur = abs
  for (;;) {
    try {
      const real = await fs.realpath(cur)
      return rest.length ? path.join(real, ...rest.reverse()) : real
    } catch {
      const parent = path.dirname(cur)
      if (parent === cur) return abs
      rest.push(path.basename(cur))
      cur = parent
    }
  }
}

const byContext = new WeakMap<object, PathGrants>()

/**
 * The grants of one app context (one per shell). Kept beside the context rather than in it so the imaging
 * and datasets services share one list without changing `AppContext`.
 */
export function grantsFor(ctx: object): PathGrants {
  let g = byContext.get(ctx)
  if (!g) {
    g = new PathGrants()
    byContext.set(ctx, g)
  }
  return g
}
