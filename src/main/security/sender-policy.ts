/**
 * IPC calls are accepted only from the app's own top-level renderer document: the built `index.html`
 * (file URL) or, in development, the electron-vite dev server. A frame navigated elsewhere, an iframe or
 * another window is refused.
 */
export function isTrustedSender(frameUrl: string | undefined, trustedUrl: string): boolean {
  if (!frameUrl) return false
  let frame: URL
  let trusted: URL
  try {
    frame = new URL(frameUrl)
    trusted = new URL(trustedUrl)
  } catch {
    return false
  }
  if (frame.protocol !== trusted.protocol) return false
  if (trusted.protocol === 'file:') return frame.pathname === trusted.pathname
  return frame.origin === trusted.origin
}
