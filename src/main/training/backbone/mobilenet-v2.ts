import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'

/** Configuration of buildMobileNetV2. */
export interface MobileNetV2Config {
  /** Height = width of the square RGB input, pixels (≥ 32; Keras's pretrained sizes are 96…224). */
  inputSize: number
  /** Width multiplier α. Default 1.0 (the only width with pretrained weights used here: 1280 output channels). */
  alpha?: number
  /** Only the headless network (output = `out_relu` feature map) is built. */
  includeTop: false
  /** Seed of the Glorot-uniform kernel initialisers; each layer derives its own. Default: unseeded. */
  seed?: number
}

/** Name of the last layer of the headless MobileNetV2: ReLU6 over Conv_1_bn, `[batch, h, w, 1280]` at α = 1. */
export const OUT_LAYER_NAME = 'out_relu'

/** Name of the input layer, as Keras's first auto-named input. */
export const INPUT_LAYER_NAME = 'input_1'

/** Inverted-residual blocks of MobileNetV2 (Sandler et al. 2018, table 2): output filters, stride, expansion. */
const BLOCKS: ReadonlyArray<{ filters: number; stride: 1 | 2; expansion: number }> = [
  { filters: 16, stride: 1, expansion: 1 },
  { filters: 24, stride: 2, expansion: 6 },
  { filters: 24, stride: 1, expansion: 6 },
  { filters: 32, stride: 2, expansion: 6 },
  { filters: 32, stride: 1, expansion: 6 },
  { filters: 32, stride: 1, expansion: 6 },
  { filters: 64, stride: 2, expansion: 6 },
  { filters: 64, stride: 1, expansion: 6 },
  { filters: 64, stride: 1, expansion: 6 },
  { filters: 64, stride: 1, expansion: 6 },
  { filters: 96, stride: 1, expansion: 6 },
  { filters: 96, stride: 1, expansion: 6 },
  { filters: 96, stride: 1, expansion: 6 },
  { filters: 160, stride: 2, expansion: 6 },
  { filters: 160, stride: 1, expansion: 6 },
  { filters: 160, stride: 1, expansion: 6 },
  { filters: 320, stride: 1, expansion: 6 }
]

/** Keras's `_make_divisible`: round to a multiple of 8 without dropping more than 10 %. */
function makeDivisible(v: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor)
  return rounded < 0.9 * v ? rounded + divisor : rounded
}

/**
 * Keras's `correct_pad` for a 3×3 stride-2 convolution: ((0,1),(0,1)) on even sizes, ((1,1),(1,1)) on odd,
 * which is what TensorFlow's 'same' padding would do; the explicit layer keeps Keras's layer list.
 */
function correctPad(size: number): [[number, number], [number, number]] {
  const adjust = 1 - (size % 2)
  return [
    [1 - adjust, 1],
    [1 - adjust, 1]
  ]
}

/**
 * Builds MobileNetV2 (no top) as a tf.LayersModel with the layer names of keras.applications.MobileNetV2
 * (TF 2.x): input_1, Conv1, bn_Conv1, Conv1_relu, expanded_conv_depthwise, expanded_conv_depthwise_BN, …,
 * block_1_expand, block_1_expand_BN, block_1_expand_relu, block_1_pad, block_1_depthwise, …, block_16_project_BN,
 * Conv_1, Conv_1_bn, out_relu (154 layers). Input `[batch, inputSize, inputSize, 3]`, output the `out_relu`
 * feature map `[batch, ceil(inputSize/32), ceil(inputSize/32), 1280]` at α = 1 (2,257,984 parameters).
 * BatchNormalization uses Keras's epsilon 1e-3 and momentum 0.999; weights are randomly initialised, so load
 * pretrained ones by layer name (copyWeightsByName).
 */
export function buildMobileNetV2(cfg: MobileNetV2Config): tf.LayersModel {
  const alpha = cfg.alpha ?? 1.0
  if (!Number.isInteger(cfg.inputSize) || cfg.inputSize < 32) {
    throw new AppError('INVALID_ARGUMENT', `buildMobileNetV2: inputSize must be an integer ≥ 32, got ${cfg.inputSize}`)
  }
  if (!(alpha > 0 && alpha <= 1.4)) {
    throw new AppError('INVALID_ARGUMENT', `buildMobileNetV2: alpha must be in (0, 1.4], got ${alpha}`)
  }
  if (cfg.includeTop !== false) {
    throw new AppError('UNSUPPORTED', 'buildMobileNetV2: only includeTop: false (headless backbone) is built')
  }
  let layerIndex = 0
  const init = (): ReturnType<typeof tf.initializers.glorotUniform> =>
    tf.initializers.glorotUniform(cfg.seed === undefined ? {} : { seed: cfg.seed * 1000 + layerIndex++ })
  const conv = (
    x: tf.SymbolicTensor,
    filters: number,
    kernel: number,
    stride: number,
    padding: 'same' | 'valid',
    name: string
  ) =>
    tf.layers
      .conv2d({
        filters,
        kernelSize: kernel,
        strides: stride,
        padding,
        useBias: false,
        kernelInitializer: init(),
        name
      })
      .apply(x) as tf.SymbolicTensor
  const bn = (x: tf.SymbolicTensor, name: string) =>
    tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name }).apply(x) as tf.SymbolicTensor
  const relu6 = (x: tf.SymbolicTensor, name: string) =>
    tf.layers.reLU({ maxValue: 6, name }).apply(x) as tf.SymbolicTensor
  const spatial = (x: tf.SymbolicTensor) => x.shape[1] as number

  const input = tf.input({ shape: [cfg.inputSize, cfg.inputSize, 3], name: INPUT_LAYER_NAME })
  let x = conv(input, makeDivisible(32 * alpha), 3, 2, 'same', 'Conv1')
  x = relu6(bn(x, 'bn_Conv1'), 'Conv1_relu')

  BLOCKS.forEach((block, id) => {
    const inChannels = x.shape[3] as number
    const filters = makeDivisible(Math.floor(block.filters * alpha))
    const prefix = id === 0 ? 'expanded_conv_' : `block_${id}_`
    const blockInput = x
    if (id > 0) {
      x = conv(x, inChannels * block.expansion, 1, 1, 'same', `${prefix}expand`)
      x = relu6(bn(x, `${prefix}expand_BN`), `${prefix}expand_relu`)
    }
    if (block.stride === 2) {
      x = tf.layers
        .zeroPadding2d({ padding: correctPad(spatial(x)), name: `${prefix}pad` })
        .apply(x) as tf.SymbolicTensor
    }
    x = tf.layers
      .depthwiseConv2d({
        kernelSize: 3,
        strides: block.stride,
        padding: block.stride === 1 ? 'same' : 'valid',
        useBias: false,
        depthwiseInitializer: init(),
        name: `${prefix}depthwise`
      })
      .apply(x) as tf.SymbolicTensor
    x = relu6(bn(x, `${prefix}depthwise_BN`), `${prefix}depthwise_relu`)
    x = conv(x, filters, 1, 1, 'same', `${prefix}project`)
    x = bn(x, `${prefix}project_BN`)
    if (inChannels === filters && block.stride === 1) {
      x = tf.layers.add({ name: `${prefix}add` }).apply([blockInput, x]) as tf.SymbolicTensor
    }
  })

  const lastFilters = alpha > 1.0 ? makeDivisible(1280 * alpha) : 1280
  x = conv(x, lastFilters, 1, 1, 'same', 'Conv_1')
  x = relu6(bn(x, 'Conv_1_bn'), OUT_LAYER_NAME)
  return tf.model({ inputs: input, outputs: x, name: `mobilenetv2_${alpha.toFixed(2)}_${cfg.inputSize}` })
}
