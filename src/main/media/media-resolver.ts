import { AppError } from '../../shared/errors'

/** A file the app may serve to the renderer, with its MIME type. */
export interface MediaFile {
  file: string
  type: string
}

/** Looks up the file behind one media id (e.g. an item's thumbnail), or null when there is none. */
export type MediaRoute = (id: string) => MediaFile | null | Promise<MediaFile | null>

/**
 * The only way the renderer reads files: `neuropath-media://<kind>/<id>` in Electron and
 * `/media/<kind>/<id>` in browser mode both land here. A route maps an opaque catalog id to a file the
 * catalog knows; there is no route that takes a path, so the renderer cannot ask for arbitrary files.
 */
export class MediaResolver {
  private readonly routes = new Map<string, MediaRoute>()

  register(kind: string, route: MediaRoute): void {
    this.routes.set(kind, route)
  }

  /** `ref` is `<kind>/<id>`; ids are limited to [A-Za-z0-9_.-]. */
  async resolve(ref: string): Promise<MediaFile> {
    const m = /^([a-z][a-z0-9-]{0,30})\/([A-Za-z0-9_.-]{1,200})$/.exec(ref)
    if (!m || m[2].includes('..'))
      throw new AppError('FORBIDDEN', `media reference "${ref.slice(0, 80)}" is not allowed`)
    const route = this.routes.get(m[1])
    const found = route ? await route(m[2]) : null
    if (!found) throw new AppError('NOT_FOUND', `no media ${m[1]}/${m[2]}`)
    return found
  }
}
