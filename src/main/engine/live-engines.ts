/** One running engine process as the shutdown path sees it. */
export interface LiveEngine {
  readonly pid: number | undefined
  /** Asks the engine to stop, and kills it if it has not exited `graceMs` later. */
  stop(graceMs: number): void
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<void>
}

/**
 * Every engine process one app core has started and not yet seen exit, so shutting the core down can stop
 * them all and wait for them: an engine left behind could keep writing into a run's resume folder while a
 * resumed run writes there too.
 */
export class LiveEngines {
  private readonly live = new Set<LiveEngine>()
  private readonly beforeStop: (() => void)[] = []

  /** Called by stopAll before it stops anything: owners record their jobs as interrupted while they can. */
  onStop(hook: () => void): void {
    this.beforeStop.push(hook)
  }

  add(engine: LiveEngine): void {
    this.live.add(engine)
    void engine.exited.then(() => this.live.delete(engine))
  }

  get size(): number {
    return this.live.size
  }

  pids(): number[] {
    return [...this.live].map((e) => e.pid).filter((p): p is number => p !== undefined)
  }

  /** Stops every engine (cancel, then kill after `graceMs`) and resolves once all have exited. */
  async stopAll(graceMs = 5_000): Promise<void> {
    for (const hook of this.beforeStop) hook()
    const all = [...this.live]
    for (const e of all) e.stop(graceMs)
    await Promise.all(all.map((e) => e.exited))
  }
}
