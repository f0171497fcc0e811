import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import type { Api } from '../../shared/contract'

/** The classes `writePatternPngs` can draw, in label order. */
export type Pattern = 'disc' | 'stripes' | 'checks'

/**
 * 8-bit grey PNGs, one folder per pattern: a disc, horizontal stripes `stripe` px high, or 16 px checks, each with
 * per-file noise from a fixed LCG (so every bench run imports the same bytes). `size` is the side in px.
 */
export async function writePatternPngs(
  dir: string,
  opts: { patterns: Pattern[]; perClass: number; size: number; stripe: number }
): Promise<void> {
  const { perClass, size, stripe } = opts
  for (const [label, name] of opts.patterns.entries()) {
    fs.mkdirSync(path.join(dir, name), { recursive: true })
    const jobs: Promise<unknown>[] = []
    for (let i = 0; i < perClass; i++) {
      const px = Buffer.alloc(size * size)
      let s = (label + 1) * 7919 + i * 104729
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          s = (Math.imul(s, 48271) >>> 0) % 0x7fffffff
          const on =
            name === 'disc'
              ? Math.hypot(x - size / 2, y - size / 2) < size * 0.3
              : name === 'stripes'
                ? Math.floor(y / stripe) % 2 === 1
                : (Math.floor(x / 16) + Math.floor(y / 16)) % 2 === 1
          px[y * size + x] = (on ? 190 : 40) + (s % 50)
        }
      }
      jobs.push(
        sharp(px, { raw: { width: size, height: size, channels: 1 } })
          .png()
          .toFile(path.join(dir, name, `${i}.png`))
      )
    }
    await Promise.all(jobs)
  }
}

/** Imports `root` as dataset `name` and resolves with its id once that import has finished. */
export async function importAndWait(api: Api, root: string, name = 'bench'): Promise<number> {
  const finished = new Set<string>()
  let wanted: string | undefined
  let wake = (): void => {}
  // Subscribe before starting, so a fast import cannot finish unseen.
  const off = api.datasets.onImportFinished((f) => {
    finished.add(f.importId)
    if (f.importId === wanted) wake()
  })
  try {
    const imp = await api.datasets.startImport({ dataset: name, root })
    wanted = imp.importId
    if (!finished.has(wanted)) await new Promise<void>((resolve) => (wake = resolve))
  } finally {
    off()
  }
  const ds = (await api.datasets.list({})).find((d) => d.name === name)
  if (!ds) throw new Error(`bench import of ${root} made no dataset "${name}"`)
  return ds.id
}
