/**
 * Wraps an async iterable so that item i+1 is already being produced (its file reads and decoding
 * in flight) while the consumer works on item i. At most `depth` items are buffered ahead, which
 * bounds memory. Items produced but never consumed (the consumer stopped early or threw) are
 * handed to `discard` so their tensors are freed.
 */
export async function* prefetch<T>(source: AsyncIterable<T>, discard: (item: T) => void, depth = 1): AsyncGenerator<T> {
  depth = Math.max(1, Math.floor(depth))
  const it = source[Symbol.asyncIterator]()
  const queue: Promise<IteratorResult<T>>[] = []
  const fill = (): void => {
    while (queue.length < depth) queue.push(it.next())
  }
  try {
    fill()
    for (;;) {
      const r = await queue.shift()!
      if (r.done) return
      // Ask for the next item before handing this one out: that is the overlap.
      fill()
      yield r.value
    }
  } finally {
    for (const p of queue) {
      const r = await p.catch(() => null)
      if (r && !r.done) discard(r.value)
    }
    await it.return?.()
  }
}
