import type { z } from 'zod'

/**
 * Formats zod issues as "field: reason; other: reason" so a person sees what was wrong. Used where a
 * boundary validates: the dispatcher (requests) and the engine channel (job parameters, events, results).
 */
export function describeIssues(error: z.ZodError, opts: { max?: number; root?: string } = {}): string {
  return error.issues
    .slice(0, opts.max ?? 5)
    .map((i) => `${i.path.length ? i.path.join('.') : (opts.root ?? 'request')}: ${i.message}`)
    .join('; ')
}
