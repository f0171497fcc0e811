import fs from 'node:fs'
import path from 'node:path'
import type { ExportedReport, RunDetail } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { APP_VERSION } from '../../app-meta'
import type { Catalog } from '../../catalog/open-catalog'
import { readVersion } from '../../datasets'
import { ExternalEvaluationStore } from '../../evidence/external/external-store'
import { renderRunReport } from './render-report'

/** A file-name-safe form of a run name: letters, digits, dash and underscore, at most 60 characters. */
export function reportSlug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^\w-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'run'
  )
}

/**
 * Writes the run's report to `exportsDir/run-<id>-<name>.html` (replacing an earlier export of the same run,
 * through a temporary file so a reader never sees half a report) and returns it with its HTML.
 */
export function exportRunReport(db: Catalog, exportsDir: string, run: RunDetail): ExportedReport {
  const { version } = readVersion(db, run.versionId)
  const html = renderRunReport({
    run,
    version,
    appVersion: APP_VERSION,
    generatedAt: new Date().toISOString(),
    externals: new ExternalEvaluationStore(db).list(run.id)
  })
  const fileName = `run-${run.id}-${reportSlug(run.name)}.html`
  const file = path.join(exportsDir, fileName)
  try {
    fs.mkdirSync(exportsDir, { recursive: true })
    fs.writeFileSync(`${file}.tmp`, html)
    fs.renameSync(`${file}.tmp`, file)
  } catch (err) {
    throw new AppError('IO', `cannot write the report of run ${run.id} to ${file}: ${(err as Error).message}`)
  }
  return { path: file, fileName, html, bytes: Buffer.byteLength(html) }
}
