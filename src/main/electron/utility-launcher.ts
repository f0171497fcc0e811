import { utilityProcess } from 'electron'
import type { EngineLauncher } from '../engine/launcher'

/**
 * In Electron, engine processes are utility processes: off the main process, sandbox-free Node with their
 * own V8, killed with the app. `serveEngine` talks to them over process.parentPort.
 */
export const utilityLauncher: EngineLauncher = (entry, env) => {
  const child = utilityProcess.fork(entry, [], { env, serviceName: 'NeuroPath engine', stdio: 'inherit' })
  return {
    get pid() {
      return child.pid
    },
    send: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', l),
    onExit: (l) => child.once('exit', (code) => l(code === 0 ? 0 : code, null)),
    kill: () => void child.kill()
  }
}
