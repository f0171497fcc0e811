import type * as tf from '@tensorflow/tfjs'
import { onnx } from 'onnx-proto'
import type { OnnxEncoderDeclaration } from '../../shared/contract/onnx-encoder'
import { AppError } from '../../shared/errors'
import { headLayers } from '../training/head/build-head'
import { emitClassifierChain } from './classifier-to-onnx'
import { GraphBuilder } from './graph-builder'
import { BACKBONE_IO } from './plan-to-onnx'

/** Prefix of every name that comes from the encoder's own graph inside the composed model. */
export const ENCODER_PREFIX = 'encoder/'

/**
 * One ONNX classifier from a run on your own encoder: input `image` NHWC float32 `[batch, s, s, 3]` with
 * pixels in [0, 1] (the card's preprocessing, as for every model.onnx) → the declaration's normalisation
 * (Sub mean, Div std per RGB channel), channel order (Gather for BGR) and layout (Transpose for NCHW) → the
 * encoder's own graph, names prefixed with ENCODER_PREFIX → pooling as declared (GlobalAveragePool over the
 * spatial map or the token axis, or Gather of the CLS token) → the trained head (emitClassifierChain) →
 * `probabilities` `[batch, K]`. The same arithmetic as the backbone runtime's packInput/poolOutput, so it
 * predicts what `classify` predicts. The composed model keeps the encoder's opset and IR version.
 * @throws AppError UNSUPPORTED when the encoder cannot be embedded (external data, extra inputs).
 */
export function encoderClassifierToOnnx(
  encoderBytes: Uint8Array,
  d: OnnxEncoderDeclaration,
  head: tf.LayersModel,
  metadata: Record<string, string>,
  what: string
): Uint8Array {
  const encoder = onnx.ModelProto.decode(encoderBytes)
  const g = new GraphBuilder('encoder_classifier')
  const s = d.inputSize
  let x = g.input(BACKBONE_IO.input, ['batch', s, s, 3])
  x = g.op('Sub', [x, g.constant('pixel_mean', d.normalisation.mean, [3])], {}, 'centred')
  x = g.op('Div', [x, g.constant('pixel_std', d.normalisation.std, [3])], {}, 'normalised')
  if (d.channelOrder === 'BGR') x = g.op('Gather', [x, g.ints('bgr', [2, 1, 0])], { axis: 3 }, 'bgr')
  if (d.layout === 'NCHW') x = g.op('Transpose', [x], { perm: [0, 3, 1, 2] }, 'nchw')
  let outputs: Record<string, string>
  try {
    outputs = g.embedModel(encoder, ENCODER_PREFIX, { [d.input]: x })
  } catch (err) {
    throw new AppError('UNSUPPORTED', `${what}: the encoder cannot be put into model.onnx: ${(err as Error).message}`)
  }
  const out = outputs[d.output]
  if (!out) throw new AppError('CORRUPT', `${what}: the encoder has no output "${d.output}"`)
  let e: string
  if (d.pooling === 'none') e = out
  else if (d.pooling === 'cls') e = g.op('Gather', [out, g.constant('cls_index', [0], [], 'int64')], { axis: 1 }, 'cls')
  else {
    // GlobalAveragePool averages every axis after the second: NCHW maps as they are, NHWC maps and token
    // sequences [batch, tokens, width] with their channel axis moved second.
    const perm = d.pooling === 'mean-tokens' ? [0, 2, 1] : d.layout === 'NHWC' ? [0, 3, 1, 2] : null
    const cf = perm ? g.op('Transpose', [out], { perm }, 'channels_first') : out
    e = g.op('Flatten', [g.op('GlobalAveragePool', [cf], {}, 'pooled_map')], { axis: 1 }, 'embedding')
  }
  const v = emitClassifierChain(g, e, headLayers(head), what, true)
  g.output(v, ['batch', head.outputs[0].shape[1] as number])
  return g.toBytes(metadata)
}
