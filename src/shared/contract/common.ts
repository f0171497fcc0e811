import { z } from 'zod'

/** Shared schema pieces. Bounds are deliberate: every string and number that crosses the boundary is limited. */

/** A catalog row id: positive integer. */
export const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)

/** A human-entered name (dataset, class, run): 1–200 characters, no control characters. */
export const Name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')

/**
 * An absolute filesystem path chosen by the user. Main additionally checks that the path is one the
 * user picked in a dialog or that the catalog knows (see `src/main/security/path-policy.ts`).
 */
export const FsPath = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters')
  .refine((p) => !p.includes('\u0000'), 'must not contain NUL bytes')

export const Empty = z.object({}).strict()
