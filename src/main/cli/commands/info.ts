import type { SystemInfo } from '../../../shared/contract'
import { parseCommandArgs } from '../args'
import type { CommandContext } from '../command'

export const infoCommand = {
  name: 'info',
  summary: 'version, workspace, compute backend (and why), catalog schema version',
  usage: 'neuropath info [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {})
    const core = openCore(values.workspace)
    try {
      const res = await core.dispatcher.call('system.getInfo', {}, { transport: 'direct' })
      if (!res.ok) throw new Error(res.error.message)
      out.result(res.value, (i: SystemInfo) =>
        [
          `${i.product} ${i.version}`,
          `workspace:  ${i.workspace}`,
          `catalog:    schema ${i.catalogSchemaVersion} of ${i.catalogSchemaLatest}`,
          `backend:    ${i.backend.active} for the backbone, ${i.backend.tfActive} (tfjs "${i.backend.tfBackend}") for the rest, as an engine process selects it`,
          ...i.backend.devices.map((d) => `            ${d}`),
          ...i.backend.candidates.map(
            (c) =>
              `  ${c.name.padEnd(9)} ${c.usedFor ? `in use: ${c.usedFor}` : `${c.available ? 'available' : 'unavailable'}: ${c.reason}`}`
          )
        ].join('\n')
      )
      return 0
    } finally {
      core.close()
    }
  }
}
