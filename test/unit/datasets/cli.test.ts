import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { main } from '../../../src/main/cli'
import type { DatasetSummary, ImportResult, LeakageReport, SplitReport } from '../../../src/shared/contract'
import { tempDir, writeDicom } from '../../fixtures/datasets/images'
import { buildMixedTree } from '../../fixtures/datasets/tree'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

/** Runs the CLI in-process, capturing what it writes to stdout and stderr. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = []
  const err: string[] = []
  const realOut = process.stdout.write.bind(process.stdout)
  const realErr = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write
  try {
    const code = await main(argv)
    return { code, stdout: out.join(''), stderr: err.join('') }
  } finally {
    process.stdout.write = realOut
    process.stderr.write = realErr
  }
}

/** With --json the last stdout line is the result. */
const lastJson = <T>(stdout: string): T => JSON.parse(stdout.trim().split('\n').at(-1)!) as T

describe('neuropath CLI: import, split, datasets, leakage, export', () => {
  it('runs the dataset workflow with --json results', async () => {
    const data = tempDir('cli')
    const ws = tempDir('cli-ws')
    cleanups.push(data.cleanup, ws.cleanup)
    const tree = await buildMixedTree(data.dir)
    for (let p = 4; p < 10; p++)
      writeDicom(path.join(data.dir, 'normal', `P00${p}`, 'a.dcm'), { patientId: `PAT-${p}`, seed: 100 + p })
    const W = ['--workspace', ws.dir]

    const imp = await cli('import', data.dir, '--dataset', 'brain', '--json', ...W)
    expect(imp.code).toBe(0)
    const r = lastJson<ImportResult>(imp.stdout)
    expect(Object.keys(r).slice(0, 6)).toEqual(['datasetId', 'imported', 'skipped', 'failed', 'conflicts', 'errors'])
    expect([r.imported, r.skipped, r.failed, r.conflicts]).toEqual([tree.images.length + 6, 0, 3, 1])
    expect(r.errors.every((e) => e.path.startsWith(data.dir) && e.reason.length > 0)).toBe(true)
    const progress = imp.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { event: string })
    expect(progress.every((p) => p.event === 'progress')).toBe(true)

    const again = lastJson<ImportResult>((await cli('import', data.dir, '--dataset', 'brain', '--json', ...W)).stdout)
    expect([again.imported, again.skipped]).toEqual([0, r.imported])

    const split = await cli(
      'split',
      '--dataset',
      'brain',
      '--val',
      '0.2',
      '--test',
      '0.2',
      '--seed',
      '7',
      '--group-by',
      'patient',
      '--json',
      ...W
    )
    expect(split.code).toBe(0)
    const s = lastJson<SplitReport>(split.stdout)
    expect(s.config).toMatchObject({ val: 0.2, test: 0.2, seed: 7, groupBy: { kind: 'patient' } })
    expect(s.perSplit.train.items + s.perSplit.val.items + s.perSplit.test.items).toBe(r.imported)
    const regex = lastJson<SplitReport>(
      (await cli('split', '--dataset', 'brain', '--group-by', 'regex:/(P\\d+)/', '--json', ...W)).stdout
    )
    expect(regex.config.groupBy).toEqual({ kind: 'regex', pattern: '/(P\\d+)/' })

    const list = lastJson<{ datasets: DatasetSummary[] }>((await cli('datasets', '--json', ...W)).stdout)
    expect(list.datasets.map((d) => [d.name, d.items, d.classes])).toEqual([['brain', r.imported, 2]])
    const human = await cli('datasets', ...W)
    expect(human.stdout).toMatch(/brain\s+16\s+2/)

    const leak = await cli('leakage', '--dataset', 'brain', '--json', ...W)
    const report = lastJson<LeakageReport>(leak.stdout)
    expect(report.exact.length).toBe(1)
    expect(report.exact[0].paths.sort()).toEqual(tree.conflict.map((c) => path.join(data.dir, c)).sort())

    const csv = path.join(ws.dir, 'out', 'brain.csv')
    const exp = await cli('export', '--dataset', 'brain', '--out', csv, '--layout', 'csv', '--json', ...W)
    expect(exp.code).toBe(0)
    expect(fs.readFileSync(csv, 'utf8').trim().split('\r\n').length).toBe(r.imported + 1)

    const human2 = await cli('import', data.dir, '--dataset', 'brain', ...W)
    expect(human2.stdout).toMatch(/Imported 0 new item\(s\) into "brain"/)
    expect(human2.stdout).toMatch(/empty file \(0 bytes\)/)
  })

  it('fails with one clear line for bad usage, unknown datasets and folders without classes', async () => {
    const data = tempDir('cli-bad')
    const ws = tempDir('cli-bad-ws')
    cleanups.push(data.cleanup, ws.cleanup)
    const W = ['--workspace', ws.dir]
    const noDataset = await cli('import', data.dir, ...W)
    expect([noDataset.code, noDataset.stderr.trim()]).toEqual([1, 'neuropath import: error: missing --dataset NAME'])
    const empty = await cli('import', data.dir, '--dataset', 'x', ...W)
    expect(empty.code).toBe(1)
    expect(empty.stderr).toMatch(/has no class subfolders/)
    const unknown = await cli('split', '--dataset', 'nope', ...W)
    expect(unknown.stderr).toMatch(/dataset "nope" does not exist/)
    expect((await cli('split', '--dataset', 'x', '--group-by', 'weird', ...W)).stderr).toMatch(/--group-by weird/)
    expect((await cli('split', '--dataset', 'x', '--val', '0.6', '--test', '0.5', ...W)).code).toBe(1)
  })
})
