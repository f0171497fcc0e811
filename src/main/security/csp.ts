/**
 * Content-Security-Policy for the renderer, in Electron and in the browser mode: the one definition. The
 * HTTP header (browser-server.ts, electron/main.ts) and the renderer's meta tag (injected into index.html at
 * build by the vite plugin in electron.vite.config.ts, see `injectCspMeta`) are both made here. No remote
 * origins at all; images come from the app's own media protocol (Electron) or same-origin `/media` (browser
 * mode); `blob:`/`data:` images are canvas exports. Chart.js needs inline style attributes. The browser
 * mode's WebSocket is same-origin, which `'self'` covers.
 */
export function contentSecurityPolicy(opts: { mediaOrigin?: string; connect?: string; meta?: boolean } = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${opts.mediaOrigin ? ' ' + opts.mediaOrigin : ''}`,
    "font-src 'self'",
    `connect-src 'self'${opts.connect ? ' ' + opts.connect : ''}`,
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    // Browsers ignore frame-ancestors in a meta tag (and warn), so only headers carry it.
    ...(opts.meta ? [] : ["frame-ancestors 'none'"]),
    "object-src 'none'"
  ].join('; ')
}

/** The scheme Electron serves media from (media-protocol.ts); the meta tag allows it so one build serves both shells. */
export const MEDIA_ORIGIN = 'neuropath-media:'

/** The policy of the renderer's meta tag: Electron loads index.html from a file, where no header applies. */
export const rendererMetaPolicy = (): string => contentSecurityPolicy({ mediaOrigin: MEDIA_ORIGIN, meta: true })

/** Where index.html asks for the policy; the build replaces the whole tag. */
export const CSP_PLACEHOLDER = '<meta http-equiv="Content-Security-Policy" content="%NEUROPATH_CSP%" />'

/** index.html with the placeholder tag replaced by the policy; refuses a page without exactly one placeholder. */
export function injectCspMeta(html: string): string {
  const parts = html.split(CSP_PLACEHOLDER)
  if (parts.length !== 2)
    throw new Error(`index.html must hold the CSP placeholder tag exactly once: ${CSP_PLACEHOLDER}`)
  return parts.join(`<meta http-equiv="Content-Security-Policy" content="${rendererMetaPolicy()}" />`)
}
