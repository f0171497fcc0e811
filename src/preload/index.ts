import * as electron from 'electron'
import { contract, listMembers } from '../shared/contract'
import { fromEnvelope, type CallResult } from '../shared/errors'

/**
 * The only bridge between the sandboxed renderer and main: `window.api.<service>.<method>(request)` for
 * every method of the contract and `window.api.<service>.onX(listener)` for every event. ipcRenderer
 * itself is never exposed.
 */
const api: Record<string, Record<string, unknown>> = {}
const { methods, events } = listMembers(contract)
for (const { service, method, channel } of methods) {
  api[service] ??= {}
  api[service][method] = async (request: unknown) => {
    const res = (await electron.ipcRenderer.invoke(channel, request ?? {})) as CallResult
    if (res.ok) return res.value
    throw fromEnvelope(res.error)
  }
}
for (const { service, event, channel } of events) {
  api[service] ??= {}
  api[service][event] = (listener: (payload: unknown) => void) => {
    const handler = (_e: unknown, payload: unknown) => listener(payload)
    electron.ipcRenderer.on(channel, handler)
    return () => electron.ipcRenderer.removeListener(channel, handler)
  }
}

electron.contextBridge.exposeInMainWorld('api', api)
electron.contextBridge.exposeInMainWorld('neuropathShell', { kind: 'electron', mediaScheme: 'neuropath-media' })
