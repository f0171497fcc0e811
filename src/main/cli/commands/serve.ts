import path from 'node:path'
import { startBrowserServer } from '../../server/browser-server'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'

export const serveCommand = {
  name: 'serve',
  summary: 'run the app in a browser: serves the UI and the API on loopback with an access token',
  usage: 'neuropath serve [--port N] [--host 127.0.0.1] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, { port: { type: 'string' }, host: { type: 'string' } })
    const port = numberFlag('port', values.port, 0, (n) => Number.isInteger(n) && n >= 0 && n < 65536)
    const host = values.host ?? '127.0.0.1'
    const core = openCore(values.workspace, 'browser')
    // The CLI bundle sits in out/main; the built renderer beside it in out/renderer.
    const staticDir = process.env.NEUROPATH_RENDERER_DIR ?? path.join(__dirname, '../renderer')
    const server = await startBrowserServer({ core, staticDir, host, port })
    if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
      out.info(
        `warning: listening on ${host}, reachable from other machines; anyone with the token can use this workspace`
      )
    }
    out.info(`NeuroPath Workstation is serving workspace ${core.ctx.workspace.dir}`)
    out.result(
      { url: server.url, port: server.port, workspace: core.ctx.workspace.dir },
      (r: { url: string }) => `Open ${r.url}`
    )
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await server.close()
    // Stops running engines and waits for them, so none outlives the app and writes into a run's folder.
    await core.close()
    return 0
  }
}
