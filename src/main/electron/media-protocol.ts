import { net, protocol } from 'electron'
import { pathToFileURL } from 'node:url'
import type { MediaResolver } from '../media/media-resolver'

export const MEDIA_SCHEME = 'neuropath-media'

/** Must run before `app.whenReady()`: lets the renderer use the scheme in <img> and fetch. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }
  ])
}

/** `neuropath-media://<kind>/<id>` → the file the catalog knows for that id. No path ever comes from the URL. */
export function handleMediaProtocol(media: MediaResolver): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url)
    try {
      const found = await media.resolve(`${url.hostname}${decodeURIComponent(url.pathname)}`)
      const res = await net.fetch(pathToFileURL(found.file).href)
      return new Response(res.body, { headers: { 'Content-Type': found.type } })
    } catch (err) {
      return new Response((err as Error).message, { status: 404 })
    }
  })
}
