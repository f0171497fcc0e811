import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import type { Core } from '../services'
import { isTrustedSender } from '../security/sender-policy'

/**
 * Registers one `ipcMain.handle` per contract method; every call is checked for its sender frame, then
 * validated and dispatched by the shared Dispatcher. Events from the hub go to the window.
 */
export function registerIpc(core: Core, win: BrowserWindow, trustedUrl: string): () => void {
  for (const channel of core.dispatcher.channels) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, request: unknown) => {
      const trusted =
        event.sender.id === win.webContents.id &&
        event.senderFrame?.parent === null &&
        isTrustedSender(event.senderFrame?.url, trustedUrl)
      if (!trusted) {
        return {
          ok: false,
          error: {
            name: 'SecurityError',
            code: 'FORBIDDEN',
            message: `IPC call ${channel} from an untrusted frame was refused`
          }
        }
      }
      return core.dispatcher.call(channel, request, { transport: 'ipc' })
    })
  }
  const unsubscribe = core.ctx.hub.subscribe((channel, payload) => {
    if (!win.isDestroyed()) win.webContents.send(channel, payload)
  })
  return () => {
    unsubscribe()
    for (const channel of core.dispatcher.channels) ipcMain.removeHandler(channel)
  }
}
