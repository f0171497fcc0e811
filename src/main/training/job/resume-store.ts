import fs from 'node:fs'
import path from 'node:path'
import type { ResumePoint } from '../loop/resume'
import { atomicWriteAsync } from '../../fs/atomic-write'
import { AppError } from '../../../shared/errors'
import { readWeightsFile, writeWeightsFileAsync } from './weights-file'

/**
 * Per-stage resume points in `<modelDir>/resume/<stage>/`: JSON state plus weight files. The state file is
 * written last, so a point is only visible once all of its weights are on disk.
 *
 * Written after every epoch, in the background and without fsync: a point is a convenience (the saved model
 * and the best checkpoints are written durably), and writing its ~13 MB (head, Adam moments, callbacks)
 * with fsyncs on the engine's thread took about a fifth of each 0.13 s stage-1 epoch. Only a power loss can
 * leave a point unreadable; load() then says so and the stage starts over.
 */
export class ResumeStore {
  /** The point being written (points are written one after another, in order). */
  private pending: Promise<void> = Promise.resolve()
  private failure: unknown = null

  constructor(private readonly modelDir: string) {}

  private dir(stage: string): string {
    return path.join(this.modelDir, 'resume', stage)
  }

  /**
   * Queues the point to be written after the ones before it (the point holds copies, so training goes on).
   * @throws the error of an earlier point's write (AppError IO naming the file).
   */
  save(point: ResumePoint): void {
    if (this.failure) throw this.failure
    this.pending = this.pending.then(() => this.write(point)).catch((err) => void (this.failure = err))
  }

  /** Resolves when every queued point is on disk; rejects with the first write error. */
  async flush(): Promise<void> {
    await this.pending
    if (this.failure) throw this.failure
  }

  /**
   * Writes the point's weight files into the slot ('a' or 'b') the current state.json does not name, then
   * state.json naming that slot: a crash at any moment leaves state.json and the files it names one
   * consistent point (never this epoch's weights with the last epoch's state).
   */
  private async write(point: ResumePoint): Promise<void> {
    const dir = this.dir(point.state.stage)
    const slot = this.currentSlot(dir) === 'a' ? 'b' : 'a'
    const files = path.join(dir, slot)
    await fs.promises.mkdir(files, { recursive: true })
    const quick = { durable: false }
    await writeWeightsFileAsync(files, 'weights', point.weights, quick)
    await writeWeightsFileAsync(files, 'optimizer', point.optimizer, quick)
    const cbNames = Object.keys(point.callbackWeights)
    for (const name of cbNames)
      await writeWeightsFileAsync(files, `callback-${name}`, point.callbackWeights[name], quick)
    const state = JSON.stringify({ state: point.state, callbackWeights: cbNames, slot })
    await atomicWriteAsync(path.join(dir, 'state.json'), state, quick)
  }

  /** The slot the stage's state.json names; undefined when there is none (or a point without slots). */
  private currentSlot(dir: string): string | undefined {
    try {
      return (JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as { slot?: string }).slot
    } catch {
      return undefined
    }
  }

  /**
   * The stage's resume point, or null when there is none.
   * @throws AppError CORRUPT naming the file when a point exists but cannot be read (the caller starts over).
   */
  load(stage: string): ResumePoint | null {
    const file = path.join(this.dir(stage), 'state.json')
    if (!fs.existsSync(file)) return null
    let dir = this.dir(stage)
    let parsed: { state: ResumePoint['state']; callbackWeights: string[]; slot?: string }
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof parsed
      if (!parsed?.state || !Array.isArray(parsed.callbackWeights)) throw new Error('state or callbacks missing')
      if (parsed.slot !== undefined && parsed.slot !== 'a' && parsed.slot !== 'b') throw new Error('bad slot')
    } catch (err) {
      throw new AppError('CORRUPT', `resume point ${file} cannot be read: ${(err as Error).message}`)
    }
    // Points written before slots existed keep their files beside state.json.
    if (parsed.slot) dir = path.join(dir, parsed.slot)
    return {
      state: parsed.state,
      weights: readWeightsFile(dir, 'weights'),
      optimizer: readWeightsFile(dir, 'optimizer'),
      callbackWeights: Object.fromEntries(parsed.callbackWeights.map((n) => [n, readWeightsFile(dir, `callback-${n}`)]))
    }
  }
}
