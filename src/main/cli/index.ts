import { AppError } from '../../shared/errors'
import { createCore } from '../services'
import { resolveWorkspaceDir } from '../workspace/resolve-dir'
import type { Command } from './command'
import { classifyCommand } from './commands/classify'
import { dicomCommand } from './commands/dicom'
import { volumeCommand } from './commands/volume'
import { datasetsCommand } from './commands/datasets'
import { exportCommand } from './commands/export'
import { exportModelCommand } from './commands/export-model'
import { importCommand } from './commands/import'
import { leakageCommand } from './commands/leakage'
import { splitCommand } from './commands/split'
import { infoCommand } from './commands/info'
import { serveCommand } from './commands/serve'
import { evaluateCommand } from './commands/evaluate'
import { cvCommand, repeatCommand } from './commands/cv'
import { labelIssuesCommand } from './commands/label-issues'
import { lrFindCommand } from './commands/lr-find'
import { backupCommand } from './commands/backup'
import { doctorCommand } from './commands/doctor'
import { runsCommand } from './commands/runs'
import { trainCommand } from './commands/train'
import { resumeCommand } from './commands/resume'
import { backbonesCommand } from './commands/backbones'
import { createOutput } from './output'

const COMMANDS: Command[] = [
  infoCommand,
  serveCommand,
  dicomCommand,
  volumeCommand,
  importCommand,
  splitCommand,
  datasetsCommand,
  leakageCommand,
  exportCommand,
  exportModelCommand,
  trainCommand,
  resumeCommand,
  runsCommand,
  backbonesCommand,
  evaluateCommand,
  cvCommand,
  repeatCommand,
  labelIssuesCommand,
  lrFindCommand,
  classifyCommand,
  doctorCommand,
  backupCommand
]

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'NeuroPath Workstation command line',
    '',
    'usage: neuropath <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --json (machine-readable; the last stdout line is the result) and',
    '--workspace DIR (default: $NEUROPATH_WORKSPACE, else ~/.neuropath).',
    'neuropath <command> --help shows its usage.'
  ].join('\n')
}

/** Runs the CLI; resolves to the process exit code. Errors print one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n')
    return 0
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    process.stderr.write(`neuropath: unknown command "${name}" (see neuropath --help)\n`)
    return 1
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${command.usage}\n${command.summary}\n`)
    return 0
  }
  const out = createOutput(rest.includes('--json'))
  try {
    return await command.run(rest, {
      out,
      openCore: (flag, shell = 'cli') => createCore(resolveWorkspaceDir({ flag }), shell)
    })
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err)
    process.stderr.write(`neuropath ${name}: error: ${msg.split('\n')[0]}\n`)
    return err instanceof AppError && err.code !== 'INVALID_ARGUMENT' ? 2 : 1
  }
}
