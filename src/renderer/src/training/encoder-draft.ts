import {
  NORMALISATION_PRESETS,
  type NormalisationPreset,
  type OnnxEncoderDeclaration,
  type OnnxEncoderDeclarationInput
} from '../../../shared/contract/onnx-encoder'

type Triple = [number, number, number]

/**
 * The encoder declaration as the form edits it: 'infer' (or null / '') leaves a field to the graph, which
 * "Check" resolves; a resolved declaration comes back in with every field filled.
 */
export interface DeclarationDraft {
  /** Square input, pixels; null = from the graph. */
  inputSize: number | null
  layout: 'infer' | 'NCHW' | 'NHWC'
  channelOrder: 'RGB' | 'BGR'
  normalisation: NormalisationPreset | 'custom'
  /** Used when normalisation is 'custom': per RGB channel on [0, 1] pixels. */
  mean: Triple
  std: Triple
  /** Graph output to use; '' = the first. */
  output: string
  pooling: 'infer' | OnnxEncoderDeclaration['pooling']
}

/** What the form starts with: everything inferred, ImageNet statistics (the most common export). */
export const DEFAULT_DRAFT: DeclarationDraft = {
  inputSize: null,
  layout: 'infer',
  channelOrder: 'RGB',
  normalisation: 'imagenet',
  mean: [...NORMALISATION_PRESETS.imagenet.mean] as Triple,
  std: [...NORMALISATION_PRESETS.imagenet.std] as Triple,
  output: '',
  pooling: 'infer'
}

/** The choice fields of the declaration form, in order, with their options (value, label). */
export const DECLARATION_CHOICES: Array<{
  key: 'layout' | 'channelOrder' | 'normalisation' | 'pooling'
  label: string
  options: Array<[string, string]>
}> = [
  {
    key: 'layout',
    label: 'Layout',
    options: [
      ['infer', 'from the graph'],
      ['NCHW', 'NCHW (PyTorch)'],
      ['NHWC', 'NHWC (TensorFlow)']
    ]
  },
  {
    key: 'channelOrder',
    label: 'Channel order',
    options: [
      ['RGB', 'RGB'],
      ['BGR', 'BGR']
    ]
  },
  {
    key: 'normalisation',
    label: 'Normalisation',
    options: [
      ['imagenet', 'ImageNet mean/std'],
      ['[0,1]', '[0, 1]'],
      ['[-1,1]', '[−1, 1]'],
      ['clip', 'CLIP mean/std'],
      ['custom', 'Custom mean/std']
    ]
  },
  {
    key: 'pooling',
    label: 'Pooling',
    options: [
      ['infer', "by the output's rank"],
      ['global-average', 'GAP (spatial map)'],
      ['cls', 'CLS token'],
      ['mean-tokens', 'mean of tokens'],
      ['none', 'none ([batch, width])']
    ]
  }
]

/** The declaration sent to "Check": only the fields the person fixed. */
export function draftToDeclaration(d: DeclarationDraft): OnnxEncoderDeclarationInput {
  return {
    ...(d.inputSize !== null ? { inputSize: d.inputSize } : {}),
    ...(d.layout !== 'infer' ? { layout: d.layout } : {}),
    channelOrder: d.channelOrder,
    normalisation: d.normalisation === 'custom' ? { mean: d.mean, std: d.std } : { preset: d.normalisation },
    ...(d.output ? { output: d.output } : {}),
    ...(d.pooling !== 'infer' ? { pooling: d.pooling } : {})
  }
}

const same = (a: readonly number[], b: readonly number[]): boolean => a.every((v, i) => Math.abs(v - b[i]) < 1e-6)

/** A resolved declaration (from a check or an imported encoder) as the form shows it: every field filled. */
export function declarationToDraft(d: OnnxEncoderDeclaration): DeclarationDraft {
  const preset = (Object.keys(NORMALISATION_PRESETS) as NormalisationPreset[]).find(
    (p) =>
      same(NORMALISATION_PRESETS[p].mean, d.normalisation.mean) &&
      same(NORMALISATION_PRESETS[p].std, d.normalisation.std)
  )
  return {
    inputSize: d.inputSize,
    layout: d.layout,
    channelOrder: d.channelOrder,
    normalisation: preset ?? 'custom',
    mean: [...d.normalisation.mean] as Triple,
    std: [...d.normalisation.std] as Triple,
    output: d.output,
    pooling: d.pooling
  }
}
