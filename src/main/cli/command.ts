import type { Core } from '../services'
import type { Output } from './output'

export interface CommandContext {
  out: Output
  /** Opens the workspace given by --workspace, NEUROPATH_WORKSPACE or ~/.neuropath. */
  openCore(workspaceFlag?: string, shell?: 'cli' | 'browser'): Core
}

export interface Command {
  name: string
  summary: string
  usage: string
  /** Returns the exit code. Throwing prints one line and exits non-zero. */
  run(argv: string[], ctx: CommandContext): Promise<number>
}
