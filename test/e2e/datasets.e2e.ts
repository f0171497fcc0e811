import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { Browser, Locator, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAppPage } from '../helpers/app-page'
import type { ServedApp } from '../helpers/serve'

const SHOTS = path.resolve(__dirname, '../../test-results/datasets')
const CLASSES = ['glioma', 'meningioma', 'normal'] as const
const PER_CLASS = 12
/** The grid's performance target: as many items as a large study collection. */
const BIG = 20_000

/*
 * Functions passed to evaluate() run in the page. The test project compiles without the DOM library, so they
 * describe the few page objects they touch with these local types.
 */
interface PageEl {
  scrollTop: number
  scrollHeight: number
  clientHeight: number
  querySelectorAll(sel: string): { length: number }
}
type PageGlobals = {
  document: { querySelector(sel: string): PageEl | null }
  requestAnimationFrame(cb: (t: number) => void): number
  performance: { now(): number }
}

/** A grey 64×64 PNG whose pattern depends on `seed` (so files differ in bytes and in dHash). */
async function writePng(file: string, seed: number): Promise<void> {
  const size = 64
  const px = Buffer.alloc(size * size)
  const fx = 1 + (seed % 5)
  const fy = 1 + ((seed * 7) % 5)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = Math.sin((x * fx + seed) / 6) + Math.cos((y * fy + seed * 3) / 5) + ((x * y + seed * 31) % 17) / 17
      px[y * size + x] = Math.max(0, Math.min(255, Math.round(128 + v * 45)))
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true })
  await sharp(px, { raw: { width: size, height: size, channels: 1 } })
    .png()
    .toFile(file)
}

/**
 * root/<class>/p<NN>/img<k>.png (patient folders so a split can group by folder level 1), plus the cases the
 * import report must explain: one file copied under two classes (a conflict), a corrupt PNG, and a text file.
 * Also a folder with images but no class subfolders.
 */
async function writeDataset(root: string): Promise<{ data: string; flat: string; dupA: string; dupB: string }> {
  const data = path.join(root, 'mri')
  const jobs: Promise<void>[] = []
  CLASSES.forEach((c, ci) => {
    for (let k = 0; k < PER_CLASS; k++) {
      jobs.push(writePng(path.join(data, c, `p${String(k % 4).padStart(2, '0')}`, `img${k}.png`), ci * 100 + k))
    }
  })
  await Promise.all(jobs)
  const dupA = path.join(data, 'glioma', 'p09', 'shared.png')
  const dupB = path.join(data, 'normal', 'p09', 'shared.png')
  await writePng(dupA, 999)
  fs.mkdirSync(path.dirname(dupB), { recursive: true })
  fs.copyFileSync(dupA, dupB)
  fs.writeFileSync(
    path.join(data, 'meningioma', 'p00', 'broken.png'),
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 7)])
  )
  fs.writeFileSync(path.join(data, 'glioma', 'notes.txt'), 'reader notes\n')
  const flat = path.join(root, 'flat')
  await writePng(path.join(flat, 'a.png'), 1)
  await writePng(path.join(flat, 'b.png'), 2)
  return { data, flat, dupA, dupB }
}

/**
 * rAF deltas (ms) while the grid scrolls by script: `px` every `every` frames for `count` frames, and with
 * `jumpEvery` a jump to another part of the list that often (as when the scrollbar thumb is dragged).
 */
async function scrollFrameTimes(
  page: Page,
  opts: { px: number; every: number; count: number; jumpEvery: number }
): Promise<number[]> {
  return page.evaluate(
    ({ px, every, count, jumpEvery }) =>
      new Promise<number[]>((resolve) => {
        const g = globalThis as unknown as PageGlobals
        const el = g.document.querySelector('[data-testid="item-grid"]')!
        const deltas: number[] = []
        let last = 0
        let n = 0
        const tick = (t: number) => {
          deltas.push(t - last)
          last = t
          n++
          if (jumpEvery && n % jumpEvery === 0) {
            el.scrollTop = (((n / jumpEvery) * 0.29) % 1) * (el.scrollHeight - el.clientHeight)
          } else if (n % every === 0) el.scrollTop += px
          if (n < count) g.requestAnimationFrame(tick)
          else resolve(deltas)
        }
        g.requestAnimationFrame((t) => {
          last = t
          g.requestAnimationFrame(tick)
        })
      }),
    opts
  )
}

/** p50/p95/max and frames that took more than 1.5 refresh intervals (dropped), rounded to 0.1 ms. */
function frameStats(deltas: number[]): Record<string, number> {
  const r = (x: number) => Math.round(x * 10) / 10
  return {
    frames: deltas.length,
    p50Ms: r(quantile(deltas, 0.5)),
    p95Ms: r(quantile(deltas, 0.95)),
    maxMs: r(Math.max(...deltas)),
    dropped: deltas.filter((d) => d > 16.7 * 1.5).length
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}

/** The grid cell showing a file, by its path relative to the import root (the start of the cell's tooltip). */
function cellFor(page: Page, relPath: string): Locator {
  return page.locator(`[data-testid="item-grid"] [role="gridcell"][data-rel="${relPath}"]`)
}

/** The grid cell at a list index. */
function cellAt(page: Page, index: number): Locator {
  return page.locator(`[data-testid="item-grid"] [role="gridcell"][data-index="${index}"][data-item-id]`)
}

/** Whether every rendered grid cell shows its thumbnail, decoded (naturalWidth > 0). */
async function thumbsLoaded(page: Page): Promise<boolean> {
  const cells = await page.locator('[data-testid="item-grid"] [role="gridcell"][data-item-id]').count()
  const widths = await page
    .locator('[data-testid="item-grid"] [role="gridcell"] img')
    .evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth))
  return cells > 0 && widths.length === cells && widths.every((w) => w > 0)
}

/** The count shown next to a class in the class list. */
function classCount(page: Page, name: string): Promise<string | null> {
  return page.locator(`[data-testid="class-list"] li[data-class="${name}"] .count`).textContent()
}

describe('datasets view in browser mode', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-e2e-ds-'))
  let files: Awaited<ReturnType<typeof writeDataset>>
  let app: ServedApp
  let browser: Browser
  let page: Page
  const errors: string[] = []
  const metrics: Record<string, number | string> = {}

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) })

  beforeAll(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true })
    fs.mkdirSync(SHOTS, { recursive: true })
    files = await writeDataset(root)
    ;({ app, browser, page } = await openAppPage({
      viewport: { width: 1280, height: 800 },
      errors,
      prepare: (p) => {
        p.setDefaultTimeout(10_000)
        p.on('console', (m) => {
          if (m.type() === 'error' && !m.text().includes('404')) errors.push(m.text())
        })
      }
    }))
  })

  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    fs.rmSync(root, { recursive: true, force: true })
    if (app) fs.rmSync(app.workspace, { recursive: true, force: true })
    fs.writeFileSync(path.join(SHOTS, 'metrics.json'), JSON.stringify(metrics, null, 2))
  })

  it('shows an honest empty state and explains a folder without class subfolders', async () => {
    await page.getByTestId('empty-state').waitFor()
    expect(await page.getByTestId('empty-state').textContent()).toContain('one subfolder per class')
    await page.getByTestId('import-root').fill(files.flat)
    await page.getByTestId('import-start').click()
    const err = page.getByTestId('import-error')
    await err.waitFor()
    expect(await err.textContent()).toContain('no class subfolders')
    await shot('01-empty-state-no-class-folders')
  })

  it('imports a folder with live progress and reports failures and conflicts', async () => {
    await page.getByTestId('import-root').fill(files.data)
    expect(await page.getByTestId('import-name').inputValue()).toBe('mri')
    await page.getByTestId('import-start').click()
    const report = page.getByTestId('import-report')
    await report.waitFor({ timeout: 30_000 })
    await shot('02-import-report')
    expect(await page.getByTestId('report-imported').textContent()).toBe(String(CLASSES.length * PER_CLASS + 2))
    expect(await page.getByTestId('report-failed').textContent()).toBe('1')
    expect(await page.getByTestId('report-conflicts').textContent()).toBe('1')
    expect(await page.getByTestId('report-errors').textContent()).toContain('broken.png')
    const groups = await page.getByTestId('report-conflict-groups').textContent()
    expect(groups).toContain(files.dupA)
    expect(groups).toContain(files.dupB)
  })

  it('shows the grid, the class list with counts and the balance chart', async () => {
    await page.getByTestId('import-show-items').click()
    await page.getByTestId('item-grid').waitFor()
    await expect
      .poll(() => page.getByTestId('grid-counts').textContent())
      .toContain(`${CLASSES.length * PER_CLASS + 2} items`)
    await cellFor(page, 'glioma/p00/img0.png').waitFor()
    const counts = await page
      .locator('[data-testid="class-list"] li')
      .evaluateAll((lis) =>
        lis.map((li) => [
          (li as unknown as { dataset: { class: string } }).dataset.class,
          (li as unknown as { querySelector(s: string): { textContent: string } }).querySelector('.count').textContent
        ])
      )
    expect(counts).toEqual([
      ['glioma', String(PER_CLASS + 1)],
      ['meningioma', String(PER_CLASS)],
      ['normal', String(PER_CLASS + 1)]
    ])
    expect(await page.getByTestId('balance-chart').getAttribute('data-series')).toBe('train,val,test,unassigned')
    // Thumbnails are real images served by the media route.
    await expect.poll(() => thumbsLoaded(page), { timeout: 10_000 }).toBe(true)
    await shot('03-grid')
  })

  it('relabels an item with a number key and undoes it with Ctrl+Z', async () => {
    const cell = cellFor(page, 'glioma/p03/img3.png')
    await cell.click()
    await page.keyboard.press('3')
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('Relabelled 1 of 1 item(s) to normal')
    await expect.poll(() => cell.locator('.cls').textContent()).toBe('normal')
    await expect.poll(() => page.getByTestId('undo').textContent()).toContain('Undo relabel')
    await expect.poll(() => classCount(page, 'normal')).toBe(String(PER_CLASS + 2))
    expect(await classCount(page, 'glioma')).toBe(String(PER_CLASS))
    await shot('04-relabelled')
    await page.keyboard.press('Control+z')
    await expect.poll(() => cell.locator('.cls').textContent()).toBe('glioma')
    await expect.poll(() => classCount(page, 'normal')).toBe(String(PER_CLASS + 1))
    expect(await page.getByTestId('notice').textContent()).toContain('Undid relabel')

    // Arrow keys move the cursor (the details line follows it); Shift extends the selection; X toggles exclusion.
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.getByTestId('item-details').textContent()).toContain('glioma/p03/img7.png')
    await page.keyboard.press('Shift+ArrowLeft')
    await expect.poll(() => page.getByTestId('selected-count').textContent()).toBe('2')
    await page.keyboard.press('x')
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('Excluded 2 item(s)')
    await expect.poll(() => cell.locator('.flag.excl').count()).toBe(1)
    await page.keyboard.press('x')
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('Included 2 item(s)')
    await expect.poll(() => cell.locator('.flag.excl').count()).toBe(0)
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('selected-count').count()).toBe(0)
  })

  it('selects with shift-click and ctrl-click and relabels by dragging onto a class', async () => {
    // The first 13 items in import order are the glioma files.
    await cellAt(page, 0).click()
    await cellAt(page, 3).click({ modifiers: ['Shift'] })
    await expect.poll(() => page.getByTestId('selected-count').textContent()).toBe('4')
    await cellAt(page, 5).click({ modifiers: ['Control'] })
    await expect.poll(() => page.getByTestId('selected-count').textContent()).toBe('5')
    await cellAt(page, 1).dragTo(page.locator('[data-testid="class-list"] li[data-class="meningioma"]'))
    await expect
      .poll(() => page.getByTestId('notice').textContent())
      .toContain('Relabelled 5 of 5 item(s) to meningioma')
    await expect.poll(() => classCount(page, 'meningioma')).toBe(String(PER_CLASS + 5))
    await shot('05-dragged')
    await page.getByTestId('undo').click()
    await expect.poll(() => classCount(page, 'meningioma')).toBe(String(PER_CLASS))
    expect(await classCount(page, 'glioma')).toBe(String(PER_CLASS + 1))
    await page.keyboard.press('Escape')
  })

  it('splits by patient folder and shows per-split counts and a stacked chart', async () => {
    await page.click('[data-tab="split"]')
    await page.getByTestId('split-val').fill('25')
    await page.getByTestId('split-test').fill('25')
    await page.getByTestId('split-group').selectOption('folder')
    await page.getByTestId('split-run').click()
    await page.getByTestId('split-report').waitFor()
    await expect.poll(() => page.getByTestId('balance-chart').getAttribute('data-series')).toBe('train,val,test')
    const rows = await page.locator('[data-testid="split-counts"] tbody tr').allTextContents()
    expect(rows).toHaveLength(3)
    const total = await page.locator('[data-testid="split-counts"] tfoot tr').first().locator('td').allTextContents()
    const [train, val, test, unsplit, all] = total.slice(1).map(Number)
    expect(unsplit).toBe(0)
    expect(train + val + test).toBe(all)
    expect(train).toBeGreaterThan(val)
    expect(val).toBeGreaterThan(0)
    expect(test).toBeGreaterThan(0)
    await shot('06-split')
  })

  it('finds the duplicate across classes and resolves it by excluding one copy', async () => {
    await page.click('[data-tab="leakage"]')
    await page.getByTestId('leak-find').click()
    await page.getByTestId('leak-summary').waitFor()
    const finding = page.locator('[data-testid="leak-finding"][data-finding^="exact:"]')
    expect(await finding.count()).toBe(1)
    const text = await finding.textContent()
    expect(text).toContain('different labels')
    expect(text).toContain(files.dupA)
    expect(text).toContain(files.dupB)
    await expect
      .poll(() =>
        finding
          .locator('img')
          .evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth))
      )
      .toEqual([64, 64])
    await shot('07-leakage')
    await finding.getByTestId('leak-exclude').click()
    await expect.poll(() => finding.getByTestId('leak-resolved').textContent()).toContain('1 item(s) changed')
    await expect.poll(() => page.getByTestId('undo-other').textContent()).toContain('Undo exclude 1 item(s)')
    await expect.poll(() => page.getByTestId('dataset-summary').textContent()).toContain('1 excluded')
    await shot('08-leakage-resolved')
    await page.click('[data-tab="items"]')
    await page.getByTestId('filter-flag').selectOption('excluded')
    await expect.poll(() => page.getByTestId('grid-counts').textContent()).toMatch(/^\s*1 item\b/)
    await expect.poll(() => cellAt(page, 0).getAttribute('data-rel')).toMatch(/^(glioma|normal)\/p09\/shared\.png$/)
    await page.getByTestId('filter-flag').selectOption('')
  })

  it('exports a CSV manifest and opens an item in the viewer', async () => {
    await page.click('[data-tab="export"]')
    await page.getByLabel('Version note').fill('after leakage review')
    await page.getByTestId('version-create').click()
    await expect.poll(() => page.getByTestId('versions').textContent()).toContain('after leakage review')
    expect(await page.getByTestId('versions').textContent()).toMatch(/v1\s*\S+.*37\s*1/)
    const csv = path.join(root, 'out', 'mri.csv')
    await page.getByTestId('export-layout').selectOption('csv')
    await page.getByTestId('export-dest').fill(csv)
    await page.getByTestId('export-run').click()
    await expect
      .poll(() => page.getByTestId('export-result').textContent())
      .toContain(`Wrote ${CLASSES.length * PER_CLASS + 1} item(s)`)
    expect(fs.readFileSync(csv, 'utf8').trim().split('\n').length).toBe(CLASSES.length * PER_CLASS + 2)
    await shot('09-export')

    await page.click('[data-tab="items"]')
    await cellFor(page, 'glioma/p01/img5.png').dblclick()
    await page.getByTestId('view-viewer').waitFor()
    await expect
      .poll(
        () =>
          page
            .getByTestId('viewer-canvas')
            .evaluate((c) => (c as unknown as { dataset: { path?: string } }).dataset.path),
        {
          timeout: 10_000
        }
      )
      .toMatch(/img5\.png$/)
    await shot('10-opened-in-viewer')
    await page.click('nav button[data-view="datasets"]')
    await page.getByTestId('item-grid').waitFor()
  })

  it('adds, renames and merges classes, with undo', async () => {
    const names = () =>
      page
        .locator('[data-testid="class-list"] li')
        .evaluateAll((lis) => lis.map((li) => (li as unknown as { dataset: { class: string } }).dataset.class))
    await page.getByLabel('New class name').fill('edema')
    await page.getByLabel('New class name').press('Enter')
    await expect.poll(names).toEqual(['edema', 'glioma', 'meningioma', 'normal'])
    await page.getByLabel('Edit edema').click()
    await page.getByLabel('New name').fill('oedema')
    await page.getByLabel('New name').press('Enter')
    await expect.poll(names).toContain('oedema')
    await page.getByLabel('Edit oedema').click()
    await page.getByLabel('Merge into').selectOption({ label: 'glioma' })
    await page.getByRole('button', { name: 'Merge', exact: true }).click()
    await expect.poll(names).toEqual(['glioma', 'meningioma', 'normal'])
    await expect.poll(() => page.getByTestId('undo').textContent()).toContain('Undo merge "oedema" into "glioma"')
    await shot('11-classes-merged')
    await page.getByTestId('undo').click()
    await expect.poll(names).toContain('oedema')
  })

  it('shows live import progress and cancels an import', async () => {
    const many = path.join(root, 'many')
    const px = Buffer.alloc(16 * 16)
    await Promise.all(
      Array.from({ length: 800 }, (_, k) => {
        px.fill(k % 251)
        const file = path.join(many, k % 2 ? 'a' : 'b', `f${k}.png`)
        fs.mkdirSync(path.dirname(file), { recursive: true })
        return sharp(Buffer.from(px), { raw: { width: 16, height: 16, channels: 1 } })
          .png()
          .toFile(file)
      })
    )
    await page.click('[data-tab="import"]')
    await page.getByTestId('import-root').fill(many)
    await page.getByTestId('import-name').fill('cancelled')
    await page.getByTestId('import-start').click()
    const progress = page.getByTestId('import-progress')
    await expect.poll(() => progress.textContent(), { timeout: 10_000 }).toMatch(/imported [1-9]/)
    await shot('12-import-progress')
    await page.getByTestId('import-cancel').click()
    await expect.poll(() => page.getByTestId('import-error').textContent()).toContain('Import cancelled')
    expect(await page.getByTestId('import-report').count()).toBe(0)
  })

  it(`scrolls a ${BIG.toLocaleString('en')}-item dataset rendering only the visible rows`, async () => {
    // Importing 20,000 files is too slow for CI on 2 cores (about 250 files/s here): import the folder once more
    // as its own dataset, then copy its catalog rows up to 20,000. Each copy gets its own path and its own content
    // hash (as in a real collection, where files differ), and the thumbnail cache entry of that hash is a hard link
    // to the original's thumbnail, so the media route serves real images for every item.
    await page.click('[data-tab="import"]')
    await page.getByTestId('import-root').fill(files.data)
    await page.getByTestId('import-name').fill('bulk')
    await page.getByTestId('import-start').click()
    await page.getByTestId('import-report').waitFor({ timeout: 30_000 })
    const db = new Database(path.join(app.workspace, 'catalog.sqlite'))
    db.pragma('busy_timeout = 5000')
    const t0 = performance.now()
    const { id } = db.prepare("SELECT id FROM datasets WHERE name = 'bulk'").get() as { id: number }
    const have = (db.prepare('SELECT COUNT(*) AS n FROM dataset_items WHERE dataset_id = ?').get(id) as { n: number }).n
    // Each round copies every row so far under a new suffix, doubling the dataset until it holds BIG items.
    const copy =
      db.prepare(`INSERT INTO dataset_items (dataset_id, class_id, folder_class, path, rel_path, import_id, sha256,
      size, mtime_ms, kind, width, height, frames, dhash, created_at)
      SELECT dataset_id, class_id, folder_class, path || '#' || @k, rel_path || '#' || @k, import_id, sha256 || '.' || @k,
      size, mtime_ms, kind, width, height, frames, dhash, created_at FROM dataset_items WHERE dataset_id = @id
      ORDER BY id LIMIT @limit`)
    db.transaction(() => {
      for (let k = 1, n = have; n < BIG; k++) n += copy.run({ k: String(k), id, limit: BIG - n }).changes
    })()
    const hashes = db
      .prepare('SELECT DISTINCT sha256 FROM dataset_items WHERE dataset_id = ?')
      .pluck()
      .all(id) as string[]
    db.close()
    const thumbs = path.join(app.workspace, 'cache', 'thumbs')
    for (const h of hashes) {
      if (h.length === 64) continue
      const dir = path.join(thumbs, h.slice(0, 2))
      fs.linkSync(path.join(dir, `${h.slice(0, 64)}.png`), path.join(dir, `${h}.png`))
    }
    metrics.bulkInsertMs = Math.round(performance.now() - t0)

    await page.getByTestId('import-show-items').click()
    await page.getByTestId('dataset-picker').selectOption({ label: 'bulk' })
    const grid = page.getByTestId('item-grid')
    await expect.poll(() => grid.getAttribute('data-total')).toBe(String(BIG))
    await cellFor(page, 'glioma/p00/img0.png').waitFor()

    // A fling (90 px per frame, a scrollbar jump every second) and a reading pace (two rows every 12 frames,
    // so thumbnails load between steps).
    // Main-thread task time (Chrome's TaskDuration) per frame separates the page's own work from waiting for a CPU.
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const taskSeconds = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN
    let t = await taskSeconds()
    const fling = frameStats(await scrollFrameTimes(page, { px: 90, every: 1, count: 360, jumpEvery: 60 }))
    fling.taskMsPerFrame = Math.round((((await taskSeconds()) - t) * 1000 * 10) / fling.frames) / 10
    const cells = await grid.locator('[role="gridcell"]').count()
    t = await taskSeconds()
    const steps = frameStats(await scrollFrameTimes(page, { px: 356, every: 12, count: 240, jumpEvery: 0 }))
    steps.taskMsPerFrame = Math.round((((await taskSeconds()) - t) * 1000 * 10) / steps.frames) / 10
    for (const [k, v] of Object.entries(fling)) metrics[`fling_${k}`] = v
    for (const [k, v] of Object.entries(steps)) metrics[`steps_${k}`] = v
    metrics.renderedCells = cells
    // Two cores are shared with other work: the load average says how much the figures were disturbed.
    metrics.loadAverage1m = Math.round(os.loadavg()[0] * 100) / 100
    console.log('datasets grid scroll at 20,000 items:', metrics)
    await grid.evaluate((el) => ((el as unknown as PageEl).scrollTop = 1e9))
    await expect
      .poll(() => grid.locator('[role="gridcell"][data-item-id]').count(), { timeout: 10_000 })
      .toBeGreaterThan(0)
    await expect.poll(() => thumbsLoaded(page), { timeout: 10_000 }).toBe(true)
    await shot('13-grid-20000-end')
    // Virtualised: a screenful plus overscan, not 20,000 nodes.
    expect(cells).toBeLessThan(120)
    // The median frame is on time even with two busy cores; a grid that rendered all 20,000 cells, or re-rendered
    // every cell per frame, misses both bounds by far. The p95/max figures are reported, not asserted: on a shared
    // 2-core machine they follow the load average more than the code.
    expect(fling.p50Ms).toBeLessThan(20)
    expect(steps.p50Ms).toBeLessThan(20)
    expect(Math.max(fling.maxMs, steps.maxMs)).toBeLessThan(1000)

    // Select all 20,000 in the filter and relabel them with one key, then undo.
    await grid.click({ position: { x: 60, y: 60 } })
    await page.keyboard.press('Control+a')
    await expect.poll(() => page.getByTestId('selected-count').textContent()).toBe('20,000')
    const t1 = performance.now()
    await page.keyboard.press('2')
    await expect
      .poll(() => page.getByTestId('notice').textContent(), { timeout: 30_000 })
      .toMatch(/Relabelled [\d,]+ of 20,000 item\(s\) to meningioma/)
    metrics.relabelAll20000Ms = Math.round(performance.now() - t1)
    await expect.poll(() => classCount(page, 'meningioma')).toBe('20,000')
    await shot('14-grid-20000-relabelled')
    await page.keyboard.press('Control+z')
    await expect.poll(() => classCount(page, 'meningioma'), { timeout: 30_000 }).not.toBe('20,000')
    console.log('datasets select-all relabel at 20,000 items:', metrics.relabelAll20000Ms, 'ms')
    expect(errors).toEqual([])
  })
})
