import { runDoctor, type DoctorReport } from '../../catalog/doctor'
import { parseCommandArgs } from '../args'
import type { CommandContext } from '../command'

export const doctorCommand = {
  name: 'doctor',
  summary: 'check the workspace: SQLite integrity, schema and migrations, missing image files and models',
  usage: 'neuropath doctor [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {})
    const core = openCore(values.workspace)
    try {
      const report = runDoctor(core.ctx.workspace.db)
      out.result({ workspace: core.ctx.workspace.dir, ...report }, (r: DoctorReport & { workspace: string }) =>
        [
          `workspace ${r.workspace}: ${r.ok ? 'healthy' : 'problems found'}`,
          ...r.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(13)} ${c.detail}`),
          ...r.missingFiles.slice(0, 20).map((f) => `       missing: ${f}`)
        ].join('\n')
      )
      return report.ok ? 0 : 2
    } finally {
      core.close()
    }
  }
}
