import { z } from 'zod'
import { OnnxEncoderDeclarationInput } from './onnx-encoder'

/**
 * The training configuration: one schema drives validation at the boundary, the CLI's --config file and
 * the form in the Training view. Defaults are the seed project's recipe (MobileNetV2 224×224×3, head
 * 512/256 with dropout 0.5/0.3, Adam 1e-3 then 1e-4 with the top 30 base layers unfrozen).
 *
 * Every field carries `.meta({ title, description })`: the Training view builds its form from
 * `z.toJSONSchema(TrainingConfigSchema)`, so labels, help, bounds and defaults come from here alone.
 * Messages are written for people (the form shows them inline under the field).
 */

const lr = z.number('must be a number').positive('must be > 0').max(1, 'must be ≤ 1')
const epochs = z
  .number('must be a number')
  .int('must be a whole number')
  .min(0, 'must be ≥ 0')
  .max(1000, 'must be ≤ 1000')
const rate = z.number('must be a number').min(0, 'must be ≥ 0').lt(1, 'must be < 1')
const count = (min: number, max: number) =>
  z.number('must be a number').int('must be a whole number').min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`)
const fraction = (max: number) => z.number('must be a number').min(0, 'must be ≥ 0').max(max, `must be ≤ ${max}`)

/** Backbone kinds that are MobileNetV2 (stage 2 fine-tunes its top layers); 'onnx-encoder' is any frozen encoder. */
export const MOBILENET_V2_KINDS = ['nsfwjs', 'keras-h5', 'tfjs-dir', 'random'] as const

/** Why stage 2 cannot run on an ONNX encoder: shown by config validation and by the form. */
export const ENCODER_STAGE2_REASON =
  'stage 2 fine-tunes the top layers of MobileNetV2; an ONNX encoder is a foreign graph that stays frozen, so only stage 1 (the head on its embeddings) runs'

export const BackboneChoice = z
  .object({
    /**
     * nsfwjs: the MobileNetV2 shipped in the nsfwjs npm package (offline default); keras-h5: the official Keras
     * ImageNet weights file; tfjs-dir: a tfjs layers-model folder; random: random initialisation (explicit only);
     * onnx-encoder: your own frozen ONNX image encoder, imported into models/backbones/<sha256>/.
     */
    kind: z
      .enum([...MOBILENET_V2_KINDS, 'onnx-encoder'])
      .default('nsfwjs')
      .meta({ title: 'Backbone', description: 'Where the backbone weights come from' }),
    /** File (.h5) or folder (tfjs) for keras-h5 / tfjs-dir. */
    path: z
      .string()
      .min(1, 'must not be empty')
      .max(4096, 'must be at most 4096 characters')
      .optional()
      .meta({ title: 'Weights path', description: 'The .h5 file (keras-h5) or the tfjs model folder (tfjs-dir)' }),
    /** onnx-encoder: SHA-256 (hex) of the imported encoder file, the name of its folder in models/backbones/. */
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')
      .optional()
      .meta({ title: 'Encoder SHA-256', description: 'The imported ONNX encoder (models/backbones/<sha256>/)' }),
    /**
     * onnx-encoder: how the encoder wants its pixels and which output is its embedding. Absent when a run is
     * started: the imported encoder's resolved declaration is filled in, so the run record always holds it.
     */
    declaration: OnnxEncoderDeclarationInput.optional().meta({
      title: 'Encoder declaration',
      description: 'Input size, layout, channel order, normalisation, output and pooling'
    })
  })
  .strict()
  .refine((b) => (b.kind === 'keras-h5' || b.kind === 'tfjs-dir' ? !!b.path : true), {
    message: 'a path is required for keras-h5 and tfjs-dir backbones',
    path: ['path']
  })
  .refine((b) => (b.kind === 'onnx-encoder' ? !!b.sha256 : true), {
    message: 'an ONNX encoder backbone names the imported encoder by its SHA-256 (import it with "Check" first)',
    path: ['sha256']
  })

export const TrainingConfigSchema = z
  .object({
    backbone: BackboneChoice.default({ kind: 'nsfwjs' }).meta({ title: 'Backbone' }),
    /** Square model input, pixels. MobileNetV2 weights are size-independent; 224 is the recipe's. */
    inputSize: count(32, 512)
      .default(224)
      .meta({ title: 'Input size (px)', description: 'Square model input; the recipe uses 224' }),
    /** Pixel scaling: the backbone's own (nsfwjs [0,1], Keras [-1,1]) or forced; the seed's /255 is '[0,1]'. */
    scaling: z
      .enum(['backbone', '[-1,1]', '[0,1]'])
      .default('backbone')
      .meta({ title: 'Pixel scaling', description: "The backbone's own scaling, or forced to [-1,1] or [0,1]" }),
    head: z
      .object({
        fc1Units: count(1, 8192).default(512).meta({ title: 'Dense 1 units' }),
        fc2Units: count(1, 8192).default(256).meta({ title: 'Dense 2 units' }),
        dropout1: rate.default(0.5).meta({ title: 'Dropout 1', description: 'Fraction dropped after dense 1' }),
        dropout2: rate.default(0.3).meta({ title: 'Dropout 2', description: 'Fraction dropped after dense 2' })
      })
      .strict()
      .default({ fc1Units: 512, fc2Units: 256, dropout1: 0.5, dropout2: 0.3 })
      .meta({
        title: 'Classification head',
        description: 'Global average pooling → dense → dropout → dense → dropout → softmax'
      }),
    stage1: z
      .object({
        enabled: z.boolean().default(true).meta({ title: 'Run stage 1' }),
        epochs: epochs.default(20).meta({ title: 'Epochs', description: 'Maximum; early stopping may end sooner' }),
        learningRate: lr.default(1e-3).meta({ title: 'Learning rate', description: 'Adam' }),
        /**
         * embeddings: train the head on cached backbone embeddings (fast on wasm/cpu); end-to-end: stream images
         * through the frozen backbone every epoch; auto: embeddings unless on a native backend.
         */
        mode: z.enum(['auto', 'embeddings', 'end-to-end']).default('auto').meta({
          title: 'Mode',
          description:
            'embeddings: head on cached backbone features (fast on CPU); end-to-end: images every epoch; auto: embeddings unless a native backend'
        }),
        /** Augmented variants cached per training image in embeddings mode (0 = the original only). */
        augmentVariants: count(0, 20).default(0).meta({
          title: 'Augmented variants',
          description: 'Embeddings mode: augmented copies cached per training image'
        })
      })
      .strict()
      .default({ enabled: true, epochs: 20, learningRate: 1e-3, mode: 'auto', augmentVariants: 0 })
      .meta({ title: 'Stage 1: head', description: 'The backbone frozen, the head trained' }),
    stage2: z
      .object({
        enabled: z.boolean().default(true).meta({ title: 'Run stage 2' }),
        epochs: epochs.default(30).meta({ title: 'Epochs', description: 'Maximum; early stopping may end sooner' }),
        learningRate: lr.default(1e-4).meta({ title: 'Learning rate', description: 'Adam' }),
        /** Base layers unfrozen from the top; their BatchNorm layers stay in inference mode. */
        unfreezeTopLayers: count(1, 160).default(30).meta({
          title: 'Unfreeze depth',
          description: 'Backbone layers trained, counted from the top (BatchNorm stays frozen)'
        })
      })
      .strict()
      .default({ enabled: true, epochs: 30, learningRate: 1e-4, unfreezeTopLayers: 30 })
      .meta({ title: 'Stage 2: fine-tuning', description: 'The top of the backbone unfrozen' }),
    earlyStopping: z
      .object({
        enabled: z.boolean().default(true).meta({ title: 'Enabled' }),
        patience: count(1, 1000)
          .default(10)
          .meta({ title: 'Patience (epochs)', description: 'Epochs without a lower val_loss' })
      })
      .strict()
      .default({ enabled: true, patience: 10 })
      .meta({ title: 'Early stopping', description: 'On val_loss, restoring the best weights' }),
    reduceLrOnPlateau: z
      .object({
        enabled: z.boolean().default(true).meta({ title: 'Enabled' }),
        factor: z
          .number('must be a number')
          .gt(0, 'must be > 0')
          .lt(1, 'must be < 1')
          .default(0.5)
          .meta({ title: 'Factor', description: 'The learning rate is multiplied by this' }),
        patience: count(1, 1000).default(5).meta({ title: 'Patience (epochs)' }),
        minLr: fraction(1).default(1e-7).meta({ title: 'Minimum learning rate' })
      })
      .strict()
      .default({ enabled: true, factor: 0.5, patience: 5, minLr: 1e-7 })
      .meta({ title: 'Reduce LR on plateau', description: 'On val_loss' }),
    augmentation: z
      .object({
        enabled: z.boolean().default(true).meta({ title: 'Enabled' }),
        rotationDeg: fraction(180).default(20).meta({ title: 'Rotation (±degrees)' }),
        widthShift: fraction(1).default(0.2).meta({ title: 'Width shift (fraction)' }),
        heightShift: fraction(1).default(0.2).meta({ title: 'Height shift (fraction)' }),
        zoom: fraction(0.99).default(0.2).meta({ title: 'Zoom (±fraction)' }),
        horizontalFlip: z.boolean().default(true).meta({ title: 'Horizontal flip' }),
        fillMode: z
          .enum(['nearest', 'constant', 'reflect', 'wrap'])
          .default('nearest')
          .meta({ title: 'Fill mode', description: 'How pixels moved in from outside the image are filled' })
      })
      .strict()
      .default({
        enabled: true,
        rotationDeg: 20,
        widthShift: 0.2,
        heightShift: 0.2,
        zoom: 0.2,
        horizontalFlip: true,
        fillMode: 'nearest'
      })
      .meta({ title: 'Augmentation', description: 'Random transforms of training images' }),
    classWeights: z
      .enum(['none', 'balanced'])
      .default('none')
      .meta({ title: 'Class weights', description: 'balanced: loss weighted by inverse class frequency' }),
    batchSize: count(1, 1024).default(32).meta({ title: 'Batch size' }),
    /** One seed drives splits of the run's data order, initialisation, shuffling and augmentation. */
    seed: count(0, 2 ** 31 - 1)
      .default(42)
      .meta({ title: 'Seed', description: 'Drives initialisation, shuffling, dropout and augmentation' })
  })
  .strict()
  .superRefine((c, ctx) => {
    // An ONNX encoder is frozen and fed [0, 1] pixels at its own input size: refuse what cannot run on it
    // here, before a run starts, with the reason.
    if (c.backbone.kind !== 'onnx-encoder') return
    if (c.stage2.enabled && c.stage2.epochs > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['stage2', 'enabled'],
        message: `turn stage 2 off: ${ENCODER_STAGE2_REASON}`
      })
    if (c.scaling === '[-1,1]')
      ctx.addIssue({
        code: 'custom',
        path: ['scaling'],
        message: "an ONNX encoder is fed [0,1] pixels and applies its declaration's normalisation: use 'backbone'"
      })
    const size = c.backbone.declaration?.inputSize
    if (size !== undefined && size !== c.inputSize)
      ctx.addIssue({
        code: 'custom',
        path: ['inputSize'],
        message: `the encoder is declared for ${size} px inputs: set the input size to ${size}`
      })
  })

/** A complete configuration (every default filled). */
export type TrainingConfig = z.output<typeof TrainingConfigSchema>
/** What a caller may send: any subset, defaults fill the rest. */
export type TrainingConfigInput = z.input<typeof TrainingConfigSchema>

/** The seed recipe with every default. */
export const SEED_RECIPE: TrainingConfig = TrainingConfigSchema.parse({})

/**
 * A configuration as dotted paths → leaf values (`stage2.learningRate` → 0.0001), in schema order: used to
 * show a config as a table and to diff two runs' configs.
 */
export function flattenConfig(value: unknown, prefix = ''): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {}
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) Object.assign(out, flattenConfig(v, prefix ? `${prefix}.${k}` : k))
  } else if (Array.isArray(value)) out[prefix] = JSON.stringify(value)
  else if (value === undefined) out[prefix] = null
  else out[prefix] = value as string | number | boolean | null
  return out
}
