import os from 'node:os'
import path from 'node:path'

/**
 * Where the workspace lives: `--workspace DIR` wins, then `NEUROPATH_WORKSPACE`, then the shell's default
 * (Electron's userData folder for the app, `~/.neuropath` for the CLI and browser mode).
 */
export function resolveWorkspaceDir(opts: { flag?: string; env?: NodeJS.ProcessEnv; fallback?: string } = {}): string {
  const env = opts.env ?? process.env
  const chosen = opts.flag || env.NEUROPATH_WORKSPACE || opts.fallback || path.join(os.homedir(), '.neuropath')
  return path.resolve(chosen)
}
