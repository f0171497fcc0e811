import fs from 'node:fs'
import path from 'node:path'
import type { ResumePoint } from '../loop/resume'
import { atomicWrite } from '../../fs/atomic-write'
import { readWeightsFile, writeWeightsFile } from './weights-file'

/**
 * Per-stage resume points in `<modelDir>/resume/<stage>/`: JSON state plus weight files. The state file is
 * written last, so a point is only visible once all of its weights are on disk.
 */
export class ResumeStore {
  constructor(private readonly modelDir: string) {}

  private dir(stage: string): string {
    return path.join(this.modelDir, 'resume', stage)
  }

  save(point: ResumePoint): void {
    const dir = this.dir(point.state.stage)
    fs.mkdirSync(dir, { recursive: true })
    writeWeightsFile(dir, 'weights', point.weights)
    writeWeightsFile(dir, 'optimizer', point.optimizer)
    const cbNames = Object.keys(point.callbackWeights)
    for (const name of cbNames) writeWeightsFile(dir, `callback-${name}`, point.callbackWeights[name])
    atomicWrite(path.join(dir, 'state.json'), JSON.stringify({ state: point.state, callbackWeights: cbNames }))
  }

  load(stage: string): ResumePoint | null {
    const file = path.join(this.dir(stage), 'state.json')
    if (!fs.existsSync(file)) return null
    const { state, callbackWeights } = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      state: ResumePoint['state']
      callbackWeights: string[]
    }
    const dir = this.dir(stage)
    return {
      state,
      weights: readWeightsFile(dir, 'weights'),
      optimizer: readWeightsFile(dir, 'optimizer'),
      callbackWeights: Object.fromEntries(callbackWeights.map((n) => [n, readWeightsFile(dir, `callback-${n}`)]))
    }
  }
}
