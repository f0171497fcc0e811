import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { TrainingConfigSchema } from '../../shared/contract'
import { importFolder } from '../datasets'
import { MapCache, mapCacheKey } from '../evidence/map/map-cache'
import { mapItems } from '../evidence/map/map-source'
import { startBrowserServer } from '../server/browser-server'
import { createCore } from '../services'
import { mulberry32 } from '../training/loop/random'
import { Workspace } from '../workspace/workspace'
import { writePatternPngs } from './bench-data'
import { launchChromium } from './chromium'

const POINTS = 20_000
const round = (v: number, d = 2) => Number(v.toFixed(d))

/** The q-quantile of `xs` (sorted copy, nearest rank). */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}

/**
 * A workspace holding one dataset of 20,000 items (30 imported PNGs, their rows copied under other paths: the
 * map only reads ids, labels and splits) and, in its map cache, a map of them: 12 Gaussian clusters as both
 * layouts (the bench measures drawing; the layouts' own cost is the 'embedding-map' bench).
 */
async function mapWorkspace(root: string): Promise<string> {
  await writePatternPngs(path.join(root, 'data'), {
    patterns: ['disc', 'stripes', 'checks'],
    perClass: 10,
    size: 32,
    stripe: 4
  })
  const ws = Workspace.open(path.join(root, 'ws'))
  try {
    const r = await importFolder(ws.db, { dataset: 'map-bench', root: path.join(root, 'data'), cacheDir: ws.cacheDir })
    const count = () =>
      (ws.db.prepare('SELECT COUNT(*) AS n FROM dataset_items WHERE dataset_id = ?').get(r.datasetId) as { n: number })
        .n
    for (let copy = 1; count() < POINTS; copy++) {
      ws.db
        .exec(`INSERT INTO dataset_items (dataset_id, class_id, folder_class, path, rel_path, import_id, sha256, size,
        mtime_ms, kind, width, height, frames, dhash, split, created_at)
        SELECT dataset_id, class_id, folder_class, path || '.c${copy}', rel_path || '.c${copy}', import_id, sha256, size,
        mtime_ms, kind, width, height, frames, dhash, CASE (id + ${copy}) % 10 WHEN 0 THEN 'test' WHEN 1 THEN 'val'
        ELSE 'train' END, created_at FROM dataset_items WHERE dataset_id = ${r.datasetId} AND path NOT LIKE '%.c%'`)
    }
    ws.db.exec(`DELETE FROM dataset_items WHERE id IN (SELECT id FROM dataset_items WHERE dataset_id = ${r.datasetId}
      ORDER BY id DESC LIMIT ${count() - POINTS})`)
    const items = mapItems(ws.db, r.datasetId, 'map-bench')
    const rng = mulberry32(5)
    const centres = Array.from({ length: 12 }, () => [rng() * 20 - 10, rng() * 20 - 10])
    const coords = new Array<number>(items.length * 2)
    for (let i = 0; i < items.length; i++) {
      const [cx, cy] = centres[i % centres.length]
      // Box–Muller: normal scatter of sd 1.2 around the cluster centre.
      const rad = Math.sqrt(-2 * Math.log(1 - rng())) * 1.2
      const a = 2 * Math.PI * rng()
      coords[2 * i] = cx + rad * Math.cos(a)
      coords[2 * i + 1] = cy + rad * Math.sin(a)
    }
    const key = mapCacheKey(items, TrainingConfigSchema.parse({}), false)
    new MapCache(ws.cacheDir).put(key, {
      itemIds: items.map((i) => i.itemId),
      pca: { coords, explained: [0.3, 0.2], seconds: 0 },
      umap: { coords, seconds: 0 },
      dim: 1280,
      backbone: 'synthetic clusters (bench)',
      engine: 'none',
      seconds: 0,
      computedAt: new Date().toISOString()
    })
    return ws.dir
  } finally {
    ws.close()
  }
}

/**
 * The embedding map of 20,000 points in Debian's Chromium, through browser mode and the real renderer: the
 * Datasets view's Map tab shows the cached map, then the plot is panned with Shift+drag (Playwright's mouse,
 * moves sent back to back, so the page draws as often as it can). In the page, requestAnimationFrame records
 * every frame while panning; the canvas's data-draw-ms (the renderer's own timing of drawPoints + putImageData)
 * is sampled per redraw. Reports the median and 95th percentile frame interval and draw time, how many redraws
 * happened, and the load average (the machine is shared: a high load stretches frames). Fails when the median
 * frame interval misses 60 fps (16.7 ms) by more than vsync jitter.
 */
export async function benchMapChromium(): Promise<Record<string, number | string>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-map-'))
  const wsDir = await mapWorkspace(root)
  const core = createCore(wsDir, 'browser')
  const server = await startBrowserServer({ core, staticDir: path.join(__dirname, '../renderer'), port: 0 })
  const browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${server.url}#datasets`)
    await page.locator('[data-tab="map"]').click()
    const caption = page.getByTestId('map-caption')
    await caption.waitFor({ timeout: 60_000 })
    const shown = (await caption.textContent()) ?? ''
    if (!shown.startsWith(`${POINTS} included items`))
      throw new Error(`the map shows "${shown.slice(0, 80)}", not ${POINTS} items`)
    const canvas = page.getByTestId('map-canvas')
    const box = (await canvas.boundingBox())!

    // Frame recorder in the page: rAF timestamps, and each redraw's own draw time.
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        __frames: number[]
        __draws: number[]
        __recording: boolean
        requestAnimationFrame(cb: (t: number) => void): number
        document: { querySelector(s: string): { getAttribute(a: string): string | null } | null }
        MutationObserver: new (cb: () => void) => { observe(el: unknown, o: object): void }
      }
      g.__frames = []
      g.__draws = []
      g.__recording = true
      const el = g.document.querySelector('[data-testid="map-canvas"]')!
      new g.MutationObserver(() => g.__recording && g.__draws.push(Number(el.getAttribute('data-draw-ms')))).observe(
        el,
        { attributes: true, attributeFilter: ['data-draw-ms'] }
      )
      const tick = (t: number) => {
        if (!g.__recording) return
        g.__frames.push(t)
        g.requestAnimationFrame(tick)
      }
      g.requestAnimationFrame(tick)
    })
    const load = os.loadavg()[0]
    const x0 = box.x + box.width / 2
    const y0 = box.y + box.height / 2
    await page.keyboard.down('Shift')
    await page.mouse.move(x0, y0)
    await page.mouse.down()
    // Two seconds or so of panning: 240 moves, left and back.
    for (const dx of [-300, 300, -300, 300]) await page.mouse.move(x0 + dx, y0 + dx / 4, { steps: 60 })
    await page.mouse.up()
    await page.keyboard.up('Shift')
    const { frames, draws } = await page.evaluate(() => {
      const g = globalThis as unknown as { __frames: number[]; __draws: number[]; __recording: boolean }
      g.__recording = false
      return { frames: g.__frames, draws: g.__draws }
    })
    if (errors.length) throw new Error(`page errors while panning: ${errors.join('; ')}`)
    const intervals = frames.slice(1).map((t, i) => t - frames[i])
    if (intervals.length < 20 || draws.length < 20)
      throw new Error(`too few frames recorded (${intervals.length} frames, ${draws.length} redraws)`)
    const median = quantile(intervals, 0.5)
    const result = {
      'map20k.chromium.panFrameMsMedian': round(median),
      'map20k.chromium.panFrameMsP95': round(quantile(intervals, 0.95)),
      'map20k.chromium.drawMsMedian': round(quantile(draws, 0.5)),
      'map20k.chromium.drawMsP95': round(quantile(draws, 0.95)),
      'map20k.chromium.frames': intervals.length,
      'map20k.chromium.redraws': draws.length,
      'map20k.chromium.fpsMedian': round(1000 / median, 1),
      'map20k.chromium.canvas': `${Math.round(box.width)}×${Math.round(box.height)} CSS px, headless Chromium ${browser.version()}, software rendering`,
      loadAverage1m: round(load, 2),
      loadAverage1mAfter: round(os.loadavg()[0], 2),
      cores: os.cpus().length
    }
    // 60 fps with vsync jitter: a median interval above 18 ms means frames are being dropped.
    if (median > 18)
      throw new Error(
        `panning 20,000 points runs at ${round(1000 / median, 1)} fps (median frame ${round(median)} ms, draw ${result['map20k.chromium.drawMsMedian']} ms), load average ${round(load, 1)} on ${os.cpus().length} cores`
      )
    return result
  } finally {
    await browser.close()
    await server.close()
    await core.close()
    fs.rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}
