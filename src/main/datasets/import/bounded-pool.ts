/**
 * Runs async tasks with at most `limit` in flight. `run` waits for a free slot, so a producer that awaits it
 * never queues more than `limit` tasks (memory stays bounded however many files a folder holds).
 */
export class BoundedPool {
  private readonly inflight = new Set<Promise<void>>()

  constructor(private readonly limit: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    while (this.inflight.size >= this.limit) await Promise.race(this.inflight)
    const p: Promise<void> = task().finally(() => this.inflight.delete(p))
    this.inflight.add(p)
  }

  /** Resolves when every task started so far has settled. Tasks must not reject (they report their own failures). */
  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.race(this.inflight)
  }
}
