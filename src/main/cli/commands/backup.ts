import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../shared/errors'
import { parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

export const backupCommand = {
  name: 'backup',
  summary: 'consistent online backup of the catalog (SQLite backup API) into DIR, safe while the app runs',
  usage: 'neuropath backup DIR [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {}, 1)
    if (!positionals[0]) throw new UsageError('missing the folder to write the backup into (neuropath backup DIR)')
    const dir = path.resolve(positionals[0])
    const core = openCore(values.workspace)
    try {
      fs.mkdirSync(dir, { recursive: true })
      const file = path.join(dir, `catalog-${new Date().toISOString().replace(/[:.]/g, '-')}.sqlite`)
      const t0 = Date.now()
      try {
        // The backup API copies page by page under a read transaction: a consistent snapshot even while
        // another process writes.
        await core.ctx.workspace.db.backup(file)
      } catch (err) {
        fs.rmSync(file, { force: true })
        throw new AppError('IO', `cannot write the backup to ${file}: ${(err as Error).message}`)
      }
      const result = { file, bytes: fs.statSync(file).size, seconds: (Date.now() - t0) / 1000 }
      out.result(
        result,
        (r: typeof result) => `backup written: ${r.file} (${(r.bytes / 1024).toFixed(0)} KiB in ${r.seconds} s)`
      )
      return 0
    } finally {
      core.close()
    }
  }
}
