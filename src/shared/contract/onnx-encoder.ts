import { z } from 'zod'
import { FsPath } from './common'

/**
 * "Your own backbone": a frozen image encoder given as an ONNX file, with a declaration of how it wants its
 * pixels and which output is its embedding. The declaration is JSON beside the file
 * (`<file>.json` or `neuropath-encoder.json`), or comes from the UI/CLI. Fields the graph fixes (input size,
 * layout, input and output names, pooling by output rank) may be left out and are inferred; a field that
 * contradicts the graph is an error before anything runs.
 */

/** Per-channel normalisation presets, applied to RGB pixel values in [0, 1]: (v − mean) / std. */
export const NORMALISATION_PRESETS = {
  /** torchvision / timm ImageNet statistics. */
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  /** Pixels as they are in [0, 1]. */
  '[0,1]': { mean: [0, 0, 0], std: [1, 1, 1] },
  /** Pixels mapped to [−1, 1] (Keras/TF "inception" style). */
  '[-1,1]': { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  /** OpenAI CLIP statistics. */
  clip: { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] }
} as const

export type NormalisationPreset = keyof typeof NORMALISATION_PRESETS

const triple = z.tuple([z.number(), z.number(), z.number()])
const positiveTriple = z.tuple([z.number().positive(), z.number().positive(), z.number().positive()], {
  message: 'std must be three numbers > 0'
})

/**
 * How pixels are normalised. Values are per channel in the declared channel order's RGB meaning
 * (index 0 = red): a preset; mean/std on [0, 1] pixels; or a scale on 0–255 pixels (v·scale + offset).
 */
export const EncoderNormalisation = z.union([
  z.object({ preset: z.enum(['imagenet', '[0,1]', '[-1,1]', 'clip']) }).strict(),
  z.object({ mean: triple, std: positiveTriple }).strict(),
  z.object({ scale: z.number().positive('must be > 0'), offset: z.number().default(0) }).strict()
])
export type EncoderNormalisation = z.output<typeof EncoderNormalisation>

/**
 * How the chosen output becomes one vector per image:
 * global-average: a spatial map (rank 4, same layout as the input) averaged over height and width;
 * cls: the first token of a token sequence [batch, tokens, width]; mean-tokens: the mean over tokens;
 * none: the output already is [batch, width].
 */
export const EncoderPooling = z.enum(['global-average', 'cls', 'mean-tokens', 'none'])
export type EncoderPooling = z.output<typeof EncoderPooling>

/** A declaration as written by a person: only normalisation is required; the rest is inferred from the graph. */
export const OnnxEncoderDeclarationInput = z
  .object({
    /** Square input, pixels (height = width). Inferred when the graph fixes it. */
    inputSize: z.number().int('must be a whole number').min(8, 'must be ≥ 8').max(1024, 'must be ≤ 1024').optional(),
    /** NCHW (PyTorch) or NHWC (TensorFlow). Inferred when the graph's input has 3 channels on one side. */
    layout: z.enum(['NCHW', 'NHWC']).optional(),
    /** Channel order the encoder was trained with; default RGB. */
    channelOrder: z.enum(['RGB', 'BGR']).default('RGB'),
    normalisation: EncoderNormalisation,
    /** Graph input to feed; default: the only input. */
    input: z.string().min(1).optional(),
    /** Graph output to use as the embedding; default: the first output. */
    output: z.string().min(1).optional(),
    /** Default: by the output's rank (4 → global-average, 2 → none); a token output (rank 3) must say cls or mean-tokens. */
    pooling: EncoderPooling.optional()
  })
  .strict()
export type OnnxEncoderDeclarationInput = z.input<typeof OnnxEncoderDeclarationInput>

/** A declaration with every field resolved against the graph (what runs, what the cache key and model card hold). */
export interface OnnxEncoderDeclaration {
  inputSize: number
  layout: 'NCHW' | 'NHWC'
  channelOrder: 'RGB' | 'BGR'
  /** Resolved to mean/std on [0, 1] pixels, RGB order. */
  normalisation: { mean: [number, number, number]; std: [number, number, number] }
  input: string
  output: string
  pooling: EncoderPooling
}

/** What "Check" found for an encoder file (loaded in an engine process, two generated images run through it). */
export interface OnnxEncoderCheck {
  /** The file's base name (no directory: the check may be shown or exported). */
  fileName: string
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string
  /** File size, bytes. */
  bytes: number
  declaration: OnnxEncoderDeclaration
  /** The graph's input shape as declared in the file; strings are symbolic dims such as 'batch'. */
  inputShape: Array<number | string>
  /** The chosen output's shape as run on 2 images. */
  outputShape: number[]
  /** Length of the pooled embedding. */
  embeddingWidth: number
  /** Images per second through the encoder and its pooling, batch of 2, on `engine`. */
  imagesPerSecond: number
  /** e.g. 'onnxruntime 1.31.1 (cpu, 2 threads)'. */
  engine: string
  /** Null when the two embeddings look usable; else why not (NaN/Inf, constant, identical for different images). */
  degenerate: string | null
  /** Where the file was copied in the workspace (models/backbones/<sha256>/…), when the check was run there. */
  importedPath: string | null
}

/** An ONNX encoder imported into the workspace (models/backbones/<sha256>/). */
export interface ImportedEncoder {
  /** SHA-256 (hex) of the file: its folder's name. */
  sha256: string
  fileName: string
  /** The copy inside the workspace. */
  path: string
  /** File size, bytes. */
  bytes: number
  declaration: OnnxEncoderDeclaration
}

/** Check an encoder file; without a declaration, `<file>.json` or `neuropath-encoder.json` beside it is read. */
export const CheckEncoderRequest = z
  .object({ path: FsPath, declaration: OnnxEncoderDeclarationInput.optional() })
  .strict()
export type CheckEncoderRequest = z.input<typeof CheckEncoderRequest>

/** Remove an imported backbone by SHA-256, or a unique prefix of at least 8 hex digits. */
export const RemoveBackboneRequest = z
  .object({ sha256: z.string().regex(/^[0-9a-f]{8,64}$/, 'must be 8–64 lowercase hex digits') })
  .strict()
