import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ResumeStore } from '../../../src/main/training/job/resume-store'
import type { ResumePoint } from '../../../src/main/training/loop/resume'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })))

/** A point after `epochs` epochs whose every weight value is `epochs` (so a mixed point shows). */
function point(epochs: number): ResumePoint {
  const w = (name: string) => ({ name, shape: [4], values: new Float32Array(4).fill(epochs) })
  return {
    state: { version: 1, stage: 'stage1', seed: 7, epochsCompleted: epochs, lr: 1e-3, stopped: false, history: [] },
    weights: [w('kernel')],
    optimizer: [w('m'), w('v')],
    callbackWeights: { 'early-stopping': [w('best')] }
  } as unknown as ResumePoint
}

describe('resume points', () => {
  it('are written in the background, in order, and read back whole', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-resume-'))
    dirs.push(dir)
    const store = new ResumeStore(dir)
    for (let e = 1; e <= 3; e++) store.save(point(e))
    await store.flush()
    const p = store.load('stage1')!
    expect(p.state.epochsCompleted).toBe(3)
    expect(Array.from(p.weights[0].values)).toEqual([3, 3, 3, 3])
    expect(Array.from(p.callbackWeights['early-stopping'][0].values)).toEqual([3, 3, 3, 3])
  })

  it("never pair one epoch's state with another's weights: a write cut short leaves the last whole point", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-resume-'))
    dirs.push(dir)
    const store = new ResumeStore(dir)
    store.save(point(1))
    await store.flush()
    const stageDir = path.join(dir, 'resume', 'stage1')
    const { slot } = JSON.parse(fs.readFileSync(path.join(stageDir, 'state.json'), 'utf8')) as { slot: string }
    // The next point's files went into the other slot, then the process died before state.json moved.
    const other = path.join(stageDir, slot === 'a' ? 'b' : 'a')
    fs.mkdirSync(other, { recursive: true })
    fs.writeFileSync(path.join(other, 'weights.bin'), Buffer.from(new Float32Array(4).fill(2).buffer))
    const p = new ResumeStore(dir).load('stage1')!
    expect(p.state.epochsCompleted).toBe(1)
    expect(Array.from(p.weights[0].values)).toEqual([1, 1, 1, 1])
    // The next save goes to the slot state.json does not name, and moves state.json there last.
    store.save(point(2))
    await store.flush()
    expect(Array.from(new ResumeStore(dir).load('stage1')!.weights[0].values)).toEqual([2, 2, 2, 2])
  })

  it('report a failed write on the next save or flush, naming the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-resume-'))
    dirs.push(dir)
    // A file where the resume folder should be: every write fails.
    fs.writeFileSync(path.join(dir, 'resume'), 'not a folder')
    const store = new ResumeStore(dir)
    store.save(point(1))
    await expect(store.flush()).rejects.toThrow(/resume/)
    expect(() => store.save(point(2))).toThrow(/resume/)
  })
})
