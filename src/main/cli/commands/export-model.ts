import type { ExportedModel } from '../../../shared/contract'
import { directApi } from '../direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

export const exportModelCommand = {
  name: 'export-model',
  summary: "copy a run's trained model out: ONNX (image in, class probabilities out) or the tfjs folder",
  usage: 'neuropath export-model --run ID [--format onnx|tfjs] [--out PATH] [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      run: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' }
    })
    if (!values.run) throw new UsageError('missing --run ID')
    const runId = numberFlag('run', values.run, 0, (n) => Number.isInteger(n) && n > 0)
    const format = values.format ?? 'onnx'
    if (format !== 'onnx' && format !== 'tfjs') throw new UsageError(`--format ${format} is not one of onnx, tfjs`)
    const core = openCore(values.workspace)
    try {
      const res = await directApi(core).training.exportModel({ runId, format, dest: values.out })
      out.result(res, (r: ExportedModel) =>
        [
          `Exported run ${r.runId} as ${r.format === 'onnx' ? 'ONNX' : 'a tfjs folder'} to ${r.path} (${(r.bytes / 1e6).toFixed(1)} MB)`,
          ...(r.preprocessing
            ? ['Input "image": float32 NHWC [batch, s, s, 3]; output "probabilities". Preprocessing:', r.preprocessing]
            : [])
        ].join('\n')
      )
      return 0
    } finally {
      core.close()
    }
  }
}
