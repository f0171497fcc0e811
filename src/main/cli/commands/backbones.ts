import type { ImportedEncoder, OnnxEncoderCheck } from '../../../shared/contract'
import { readDeclaration } from '../../training/runs/encoder-library'
import { directApi } from '../direct-api'
import { parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'
import { table } from './datasets'

const USAGE =
  'neuropath backbones [list] | check FILE.onnx [--backbone-config FILE] | remove SHA256 [--json] [--workspace DIR]'

/** `neuropath backbones`: the ONNX encoders imported into the workspace; check (and import) one; remove one. */
export const backbonesCommand = {
  name: 'backbones',
  summary: 'list, check (and import) or remove your own ONNX encoders (models/backbones/<sha256>/)',
  usage: USAGE,
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, { 'backbone-config': { type: 'string' } }, 2)
    const [action = 'list', arg] = positionals
    if (!['list', 'check', 'remove'].includes(action))
      throw new UsageError(`unknown action "${action}"; usage: ${USAGE}`)
    if (action !== 'list' && !arg)
      throw new UsageError(`backbones ${action} needs ${action === 'check' ? 'FILE.onnx' : 'SHA256'}`)
    const core = openCore(values.workspace)
    try {
      const api = directApi(core).training
      if (action === 'list') {
        const list = await api.listEncoders({})
        out.result({ encoders: list }, (r: { encoders: ImportedEncoder[] }) => renderList(r.encoders))
      } else if (action === 'check') {
        const file = arg as string
        const declaration = readDeclaration(file, values['backbone-config'])
        const check = await api.checkEncoder({ path: file, declaration })
        out.result(check, renderCheck)
        return check.degenerate ? 1 : 0
      } else {
        const r = await api.removeBackbone({ sha256: arg as string })
        out.result(r, (x: { sha256: string }) => `removed models/backbones/${x.sha256}/`)
      }
      return 0
    } finally {
      core.close()
    }
  }
}

function renderList(list: ImportedEncoder[]): string {
  if (!list.length) return 'No ONNX encoders imported (neuropath backbones check FILE.onnx imports one)'
  return table(
    ['sha256', 'file', 'MB', 'input', 'output (pooling)'],
    list.map((e) => [
      e.sha256.slice(0, 12),
      e.fileName,
      (e.bytes / 1e6).toFixed(1),
      `${e.declaration.layout} ${e.declaration.channelOrder} ${e.declaration.inputSize} px`,
      `${e.declaration.output} (${e.declaration.pooling})`
    ])
  )
}

function renderCheck(c: OnnxEncoderCheck): string {
  const d = c.declaration
  return [
    `${c.fileName}  sha256 ${c.sha256}  ${(c.bytes / 1e6).toFixed(2)} MB`,
    `input "${d.input}" [${c.inputShape.join(', ')}]: ${d.layout} ${d.channelOrder} ${d.inputSize} px, mean [${d.normalisation.mean.map((v) => v.toFixed(4)).join(', ')}] std [${d.normalisation.std.map((v) => v.toFixed(4)).join(', ')}]`,
    `output "${d.output}" [${c.outputShape.join(', ')}] pooled by ${d.pooling} → embedding width ${c.embeddingWidth}`,
    `speed ${c.imagesPerSecond.toFixed(1)} img/s (batch 2, generated images, ${c.engine})`,
    c.degenerate ? `DEGENERATE: ${c.degenerate} (not imported)` : 'output looks usable on 2 generated images',
    c.importedPath ? `imported to ${c.importedPath}` : ''
  ]
    .filter(Boolean)
    .join('\n')
}
