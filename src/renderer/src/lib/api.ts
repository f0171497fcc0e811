import { createApiClient } from '../../../shared/api-client'
import type { Api } from '../../../shared/contract'
import { createWsTransport } from './ws-transport'

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    api?: Api
    neuropathShell?: { kind: 'electron'; mediaScheme: string }
  }
}

function browserApi(): Api {
  const params = new URLSearchParams(location.search)
  const token = params.get('token') ?? sessionStorage.getItem('neuropath.token') ?? ''
  sessionStorage.setItem('neuropath.token', token)
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  return createApiClient(createWsTransport(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`))
}

/**
 * The renderer's one way to the backend. In Electron it is the preload's `window.api` (IPC); in browser
 * mode a WebSocket client with the same types. Views never know which.
 */
export const api: Api = window.api ?? browserApi()

/** URL of a media file served by main (thumbnails, renders): custom protocol in Electron, /media otherwise. */
export function mediaUrl(kind: string, id: string | number): string {
  const ref = `${kind}/${encodeURIComponent(String(id))}`
  return window.neuropathShell ? `${window.neuropathShell.mediaScheme}://${ref}` : `/media/${ref}`
}
