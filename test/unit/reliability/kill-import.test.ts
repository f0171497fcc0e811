import { spawn, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CLI = path.resolve(__dirname, '../../../bin/neuropath.mjs')
let dir = ''

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-kill-import-'))
  for (const cls of ['a', 'b']) {
    fs.mkdirSync(path.join(dir, 'data', cls), { recursive: true })
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        sharp({
          create: {
            width: 64,
            height: 64,
            channels: 3,
            background: { r: i % 256, g: cls === 'a' ? 0 : 255, b: (i * 7) % 256 }
          }
        })
          .png()
          .toFile(path.join(dir, 'data', cls, `img${i}.png`))
      )
    )
  }
}, 120_000)
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('killing the app mid-import', () => {
  it('leaves a sound catalog, and re-running the import completes with no duplicates', async () => {
    const ws = path.join(dir, 'ws')
    const child = spawn(
      process.execPath,
      [CLI, 'import', path.join(dir, 'data'), '--dataset', 'd', '--json', '--workspace', ws],
      {
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    // Kill it hard once it has reported progress on some files, i.e. mid-import.
    await new Promise<void>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d) => {
        out += String(d)
        const seen = [...out.matchAll(/"processed":(\d+)/g)].map((m) => Number(m[1]))
        if (seen.some((n) => n >= 40)) {
          child.kill('SIGKILL')
          resolve()
        }
      })
      child.once('exit', () => reject(new Error(`import finished before it could be killed: ${out.slice(-300)}`)))
    })
    await new Promise((r) => child.once('exit', r))
    const db = new Database(path.join(ws, 'catalog.sqlite'))
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    db.close()

    const res = JSON.parse(
      execFileSync(
        process.execPath,
        [CLI, 'import', path.join(dir, 'data'), '--dataset', 'd', '--json', '--workspace', ws],
        { encoding: 'utf8' }
      )
        .trim()
        .split('\n')
        .at(-1)!
    )
    expect(res.failed).toBe(0)
    const again = JSON.parse(
      execFileSync(
        process.execPath,
        [CLI, 'import', path.join(dir, 'data'), '--dataset', 'd', '--json', '--workspace', ws],
        { encoding: 'utf8' }
      )
        .trim()
        .split('\n')
        .at(-1)!
    )
    expect(again.imported).toBe(0)
    const check = new Database(path.join(ws, 'catalog.sqlite'), { readonly: true })
    expect(check.prepare('SELECT COUNT(*) n FROM dataset_items').get()).toEqual({ n: 600 })
    expect(
      check
        .prepare(
          'SELECT COUNT(*) n FROM (SELECT sha256 FROM dataset_items GROUP BY dataset_id, path HAVING COUNT(*) > 1)'
        )
        .get()
    ).toEqual({ n: 0 })
    check.close()
  }, 180_000)
})
