import { describe, expect, it } from 'vitest'
import { resolveDeclaration } from '../../../src/main/backbone-runtime/onnx-encoder/declaration'
import { DEFAULT_DRAFT, declarationToDraft, draftToDeclaration } from '../../../src/renderer/src/training/encoder-draft'
import { TrainingConfigSchema } from '../../../src/shared/contract/training-config'

const graph = {
  inputs: [{ name: 'x', shape: ['batch', 3, 64, 64] }],
  outputs: [{ name: 'y', shape: ['batch', 197, 32] }]
}

describe('the encoder declaration form', () => {
  it('sends only what the person fixed, so the graph fills the rest', () => {
    expect(draftToDeclaration(DEFAULT_DRAFT)).toEqual({ channelOrder: 'RGB', normalisation: { preset: 'imagenet' } })
    const d = draftToDeclaration({
      ...DEFAULT_DRAFT,
      pooling: 'cls',
      normalisation: 'clip',
      output: 'y',
      inputSize: 64
    })
    expect(d).toEqual({
      inputSize: 64,
      channelOrder: 'RGB',
      normalisation: { preset: 'clip' },
      output: 'y',
      pooling: 'cls'
    })
  })

  it('shows a resolved declaration with its preset recognised, or as custom mean/std', () => {
    const resolved = resolveDeclaration(
      draftToDeclaration({ ...DEFAULT_DRAFT, pooling: 'mean-tokens', normalisation: '[-1,1]' }),
      graph,
      'e'
    )
    expect(declarationToDraft(resolved)).toMatchObject({
      inputSize: 64,
      layout: 'NCHW',
      normalisation: '[-1,1]',
      output: 'y',
      pooling: 'mean-tokens'
    })
    const custom = resolveDeclaration(
      draftToDeclaration({
        ...DEFAULT_DRAFT,
        pooling: 'cls',
        normalisation: 'custom',
        mean: [0.1, 0.2, 0.3],
        std: [1, 2, 3]
      }),
      graph,
      'e'
    )
    expect(declarationToDraft(custom)).toMatchObject({ normalisation: 'custom', mean: [0.1, 0.2, 0.3], std: [1, 2, 3] })
    // Round trip: the draft of a resolved declaration resolves to the same declaration.
    expect(resolveDeclaration(draftToDeclaration(declarationToDraft(custom)), graph, 'e')).toEqual(custom)
  })

  it('a config on an encoder refuses stage 2 and a mismatched input size, with the reason', () => {
    const declaration = resolveDeclaration({ normalisation: { preset: 'imagenet' }, pooling: 'cls' }, graph, 'e')
    const backbone = { kind: 'onnx-encoder' as const, sha256: 'a'.repeat(64), declaration }
    const bad = TrainingConfigSchema.safeParse({ backbone, inputSize: 32 })
    expect(bad.success).toBe(false)
    const issues = Object.fromEntries(bad.error!.issues.map((i) => [i.path.join('.'), i.message]))
    expect(issues['stage2.enabled']).toMatch(/turn stage 2 off: stage 2 fine-tunes the top layers of MobileNetV2/)
    expect(issues.inputSize).toMatch(/declared for 64 px inputs: set the input size to 64/)
    expect(TrainingConfigSchema.safeParse({ backbone, inputSize: 64, stage2: { enabled: false } }).success).toBe(true)
    expect(TrainingConfigSchema.safeParse({ backbone: { kind: 'onnx-encoder' } }).error!.issues[0].path).toEqual([
      'backbone',
      'sha256'
    ])
  })
})
