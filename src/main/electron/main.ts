import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { app, BrowserWindow, dialog, session } from 'electron'
import { createCore, type Core } from '../services'
import { resolveWorkspaceDir } from '../workspace/resolve-dir'
import { contentSecurityPolicy, MEDIA_ORIGIN } from '../security/csp'
import { mainWindowOptions } from '../security/window-options'
import { isTrustedSender } from '../security/sender-policy'
import { registerIpc } from './ipc'
import { utilityLauncher } from './utility-launcher'
import { handleMediaProtocol, registerMediaScheme } from './media-protocol'
import { installMenu } from './menu'
import { installNavigationGuard } from './navigation-guard'

// Thin Electron glue: everything the app does lives in the plain-Node core (src/main/services).

const rendererUrl =
  process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(path.join(__dirname, '../renderer/index.html')).href
let core: Core | null = null

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus())
  registerMediaScheme()
  installNavigationGuard((url) => isTrustedSender(url, rendererUrl))
  void app.whenReady().then(start)
  app.on('window-all-closed', () => app.quit())
  // Quit waits once for the core to stop its engines (runs and jobs are recorded as interrupted), then quits.
  let closing = false
  app.on('will-quit', (event) => {
    if (!core || closing) return
    closing = true
    event.preventDefault()
    void core.close().finally(() => app.quit())
  })
}

async function start(): Promise<void> {
  try {
    core = createCore(resolveWorkspaceDir({ fallback: app.getPath('userData') }), 'electron', {
      launcher: utilityLauncher,
      entry: path.join(__dirname, 'engine.js')
    })
  } catch (err) {
    dialog.showErrorBox('NeuroPath Workstation cannot open its workspace', (err as Error).message)
    app.exit(1)
    return
  }
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [contentSecurityPolicy({ mediaOrigin: MEDIA_ORIGIN })]
      }
    })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  core.ctx.pickPaths = async ({ kind, title, multiple }) => {
    const res = await dialog.showOpenDialog({
      title,
      properties: [
        kind === 'folder' ? 'openDirectory' : 'openFile',
        ...(multiple ? (['multiSelections'] as const) : [])
      ]
    })
    return res.canceled ? [] : res.filePaths
  }
  handleMediaProtocol(core.ctx.media)
  installMenu()
  const win = new BrowserWindow(mainWindowOptions(path.join(__dirname, '../preload/index.js')))
  registerIpc(core, win, rendererUrl)
  win.once('ready-to-show', () => win.show())
  await win.loadURL(rendererUrl)
}
