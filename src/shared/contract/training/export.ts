import { z } from 'zod'
import { FsPath, Id } from '../common'

/** What exportReport and exportModel write out of the workspace. */

/** A report written to the workspace exports folder. */
export interface ExportedReport {
  /** Absolute path of the HTML file written. */
  path: string
  /** Its file name, for a download. */
  fileName: string
  /** The self-contained HTML itself (inline CSS and SVG, no external resources). */
  html: string
  bytes: number
}

/** A run's model copied out of the workspace by exportModel. */
export interface ExportedModel {
  runId: number
  format: 'onnx' | 'tfjs'
  /** Absolute path written: the .onnx file, or the folder holding model.json, weights.bin and neuropath.json. */
  path: string
  /** Total bytes written. */
  bytes: number
  /** ONNX only: how to feed it (input "image" NHWC float32 [batch, s, s, 3]) and the exact preprocessing in words. */
  preprocessing: string | null
}

export const ExportModelRequest = z
  .object({
    runId: Id,
    /** 'onnx': model.onnx (image in, class probabilities out); 'tfjs': the tfjs layers-model folder with its card. */
    format: z.enum(['onnx', 'tfjs']),
    /** Where to write (must not exist); absent = the workspace exports/ folder. */
    dest: FsPath.optional()
  })
  .strict()
