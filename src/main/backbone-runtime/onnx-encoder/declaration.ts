import {
  NORMALISATION_PRESETS,
  OnnxEncoderDeclarationInput,
  type OnnxEncoderDeclaration
} from '../../../shared/contract/onnx-encoder'
import { AppError } from '../../../shared/errors'

/** One graph input or output as ONNX Runtime reports it; strings are symbolic dims (e.g. 'batch'). */
export interface GraphValue {
  name: string
  shape: ReadonlyArray<number | string>
}

/** The encoder's interface: its inputs and outputs. */
export interface EncoderGraph {
  inputs: readonly GraphValue[]
  outputs: readonly GraphValue[]
}

const fmt = (shape: ReadonlyArray<number | string>): string => `[${shape.join(', ')}]`

/**
 * Resolves a declaration against the graph: fills what the graph fixes (input size, layout, names, pooling
 * by output rank) and rejects with INVALID_ARGUMENT, naming `what`, the field and the graph's shape, where
 * the declaration contradicts the graph. Runs before any image is read, so a wrong declaration never
 * reaches training.
 */
export function resolveDeclaration(
  raw: OnnxEncoderDeclarationInput,
  graph: EncoderGraph,
  what: string
): OnnxEncoderDeclaration {
  const bad = (msg: string): never => {
    throw new AppError('INVALID_ARGUMENT', `${what}: ${msg}`)
  }
  const parsed = OnnxEncoderDeclarationInput.safeParse(raw)
  if (!parsed.success) {
    bad(
      `the declaration is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`
    )
  }
  const d = parsed.data as NonNullable<typeof parsed.data>
  const names = (vs: readonly GraphValue[]): string => vs.map((v) => `"${v.name}"`).join(', ')

  if (graph.inputs.length === 0) bad('the graph has no input')
  const input = d.input
    ? (graph.inputs.find((v) => v.name === d.input) ??
      bad(`input "${d.input}" is not in the graph (${names(graph.inputs)})`))
    : graph.inputs.length === 1
      ? graph.inputs[0]
      : bad(`the graph has ${graph.inputs.length} inputs (${names(graph.inputs)}); declare which one is the image`)
  const output = d.output
    ? (graph.outputs.find((v) => v.name === d.output) ??
      bad(`output "${d.output}" is not in the graph (${names(graph.outputs)})`))
    : (graph.outputs[0] ?? bad('the graph has no output'))

  const shape = input.shape
  if (shape.length !== 4) bad(`input "${input.name}" has shape ${fmt(shape)}; an image encoder takes a rank-4 image`)
  const chFirst = shape[1] === 3
  const chLast = shape[3] === 3
  let layout = d.layout
  if (!layout) {
    if (chFirst === chLast)
      bad(`cannot tell the layout of input "${input.name}" ${fmt(shape)}; declare layout NCHW or NHWC`)
    layout = chFirst ? 'NCHW' : 'NHWC'
  }
  const [c, h, w] = layout === 'NCHW' ? [shape[1], shape[2], shape[3]] : [shape[3], shape[1], shape[2]]
  if (typeof c === 'number' && c !== 3) {
    bad(
      `layout ${layout} puts ${c} channels on input "${input.name}" ${fmt(shape)}; ` +
        `the image has 3${layout === 'NCHW' && chLast ? ' (the graph looks NHWC)' : layout === 'NHWC' && chFirst ? ' (the graph looks NCHW)' : ''}`
    )
  }
  const fixed = [h, w].filter((v): v is number => typeof v === 'number')
  if (fixed.length === 2 && fixed[0] !== fixed[1])
    bad(`input "${input.name}" ${fmt(shape)} is not square; only square inputs are supported`)
  const inputSize =
    d.inputSize ?? fixed[0] ?? bad(`input "${input.name}" ${fmt(shape)} has no fixed size; declare inputSize`)
  if (fixed.length > 0 && fixed[0] !== inputSize)
    bad(`inputSize ${inputSize} is declared but input "${input.name}" ${fmt(shape)} takes ${fixed[0]} px`)

  const rank = output.shape.length
  const byRank = rank === 4 ? 'global-average' : rank === 2 ? 'none' : null
  const pooling =
    d.pooling ??
    byRank ??
    bad(
      rank === 3
        ? `output "${output.name}" ${fmt(output.shape)} is a token sequence; declare pooling "cls" or "mean-tokens"`
        : rank === 0
          ? `output "${output.name}" has no shape in the graph; declare pooling (global-average, cls, mean-tokens or none)`
          : `output "${output.name}" ${fmt(output.shape)} has rank ${rank}; declare which output is the embedding`
    )
  const want = pooling === 'global-average' ? 4 : pooling === 'none' ? 2 : 3
  if (rank !== 0 && rank !== want)
    bad(`pooling "${pooling}" needs a rank-${want} output but "${output.name}" is ${fmt(output.shape)}`)

  const n = d.normalisation
  const normalisation =
    'preset' in n
      ? { mean: [...NORMALISATION_PRESETS[n.preset].mean], std: [...NORMALISATION_PRESETS[n.preset].std] }
      : 'mean' in n
        ? { mean: [...n.mean], std: [...n.std] }
        : // v255·scale + offset = (v01 − mean)/std with v01 = v255/255: std = 1/(255·scale), mean = −offset·std.
          { mean: [0, 1, 2].map(() => -n.offset / (255 * n.scale)), std: [0, 1, 2].map(() => 1 / (255 * n.scale)) }
  return {
    inputSize,
    layout,
    channelOrder: d.channelOrder,
    normalisation: normalisation as OnnxEncoderDeclaration['normalisation'],
    input: input.name,
    output: output.name,
    pooling
  }
}

/** A canonical string of a resolved declaration: part of the embedding cache key and the model card. */
export function declarationKey(d: OnnxEncoderDeclaration): string {
  const { inputSize, layout, channelOrder, normalisation, input, output, pooling } = d
  return JSON.stringify({ inputSize, layout, channelOrder, normalisation, input, output, pooling })
}
