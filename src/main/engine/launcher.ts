import { fork } from 'node:child_process'

/** A running engine process as the host sees it, whatever started it (child_process or Electron utilityProcess). */
export interface EngineProcess {
  send(message: unknown): void
  onMessage(listener: (message: unknown) => void): void
  /** Called once when the process ends; `code` null with a signal means it was killed. */
  onExit(listener: (code: number | null, signal: string | null) => void): void
  kill(): void
  readonly pid: number | undefined
}

/** Starts the engine entry script with the given environment. */
export type EngineLauncher = (entry: string, env: NodeJS.ProcessEnv) => EngineProcess

/** Plain Node (CLI, browser mode, tests): a forked child process with an IPC channel. */
export const forkLauncher: EngineLauncher = (entry, env) => {
  const child = fork(entry, [], { env, stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced' })
  let stderr = ''
  child.stderr?.on('data', (d) => {
    // Keep the tail for crash reports; the engine writes nothing else there.
    stderr = (stderr + String(d)).slice(-4000)
  })
  return {
    pid: child.pid,
    send: (m) => {
      // An engine that is exiting can close its channel after the check: the callback takes the EPIPE
      // that would otherwise be an unhandled 'error' event; the exit handler reports how the engine ended.
      if (child.connected) child.send(m as object, () => undefined)
    },
    onMessage: (l) => child.on('message', l),
    onExit: (l) =>
      child.once('exit', (code, signal) => {
        if (code && stderr)
          process.stderr.write(`[engine ${child.pid}] ${stderr.trim().split('\n').slice(-5).join('\n')}\n`)
        l(code, signal)
      }),
    kill: () => child.kill('SIGKILL')
  }
}
