/**
 * Content-Security-Policy for the renderer, in Electron and in the browser mode. No remote origins at all;
 * images come from the app's own media protocol (Electron) or same-origin `/media` (browser mode);
 * `blob:`/`data:` images are canvas exports. Chart.js needs inline style attributes.
 */
export function contentSecurityPolicy(opts: { mediaOrigin?: string; connect?: string } = {}): string {
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
    "frame-ancestors 'none'",
    "object-src 'none'"
  ].join('; ')
}
