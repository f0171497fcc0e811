import { AppError } from '../../shared/errors'

/** The error a cancelled batch run rejects with. */
export function cancelledError(what: string): AppError {
  return new AppError('CANCELLED', `${what} was cancelled`)
}

/**
 * Runs `count` batches over `lanes` (here one backbone runtime): each lane takes the next batch
 * while the following ones are prepared (decoding overlaps the model), `lanes.length + 1` ahead. Resolves
 * when every batch ran; rejects with the first error, or CANCELLED (naming `what`) as soon as `signal`
 * aborts; batches already inside a lane then finish and their results are dropped.
 */
export async function runBatches<P, L>(
  count: number,
  lanes: readonly L[],
  prepare: (b: number) => Promise<P>,
  run: (lane: L, b: number, prepared: P) => Promise<void>,
  signal: AbortSignal | undefined,
  what: string
): Promise<void> {
  if (signal?.aborted) throw cancelledError(what)
  const lookahead = lanes.length + 1
  const prepared = new Map<number, Promise<P>>()
  const ensure = (b: number): void => {
    if (b >= count || prepared.has(b)) return
    const p = prepare(b)
    p.catch(() => undefined) // awaited later; this only keeps an early failure from being unhandled
    prepared.set(b, p)
  }
  let next = 0
  let stop = false
  const runLane = async (lane: L): Promise<void> => {
    while (!stop) {
      if (signal?.aborted) throw cancelledError(what)
      const b = next++
      if (b >= count) return
      for (let k = b; k <= b + lookahead; k++) ensure(k)
      const input = await (prepared.get(b) as Promise<P>)
      prepared.delete(b)
      if (stop) return
      await run(lane, b, input)
    }
  }
  const all = Promise.all(lanes.map(runLane))
  let onAbort = (): void => undefined
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(cancelledError(what))
    signal?.addEventListener('abort', onAbort, { once: true })
  })
  try {
    await Promise.race([all, aborted])
  } catch (err) {
    stop = true
    all.catch(() => undefined)
    throw err
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
}
