import type { Evaluation, ExternalEvaluation } from '../../../shared/contract'
import type { Catalog } from '../../catalog/open-catalog'

interface Row {
  id: number
  run_id: number
  name: string
  folder: string
  evaluation_json: string
  skipped_json: string
  tta: number
  created_at: string
}

const toExternal = (r: Row): ExternalEvaluation => ({
  id: r.id,
  runId: r.run_id,
  name: r.name,
  folder: r.folder,
  evaluation: JSON.parse(r.evaluation_json) as Evaluation,
  skipped: JSON.parse(r.skipped_json) as ExternalEvaluation['skipped'],
  tta: r.tta === 1,
  createdAt: r.created_at
})

/** External evaluations of runs (migration 006), by run. */
export class ExternalEvaluationStore {
  constructor(private readonly db: Catalog) {}

  add(e: Omit<ExternalEvaluation, 'id' | 'createdAt'>): ExternalEvaluation {
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO external_evaluations (run_id, name, folder, evaluation_json, skipped_json, tta, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`
        )
        .run(
          e.runId,
          e.name,
          e.folder,
          JSON.stringify(e.evaluation),
          JSON.stringify(e.skipped),
          e.tta ? 1 : 0,
          new Date().toISOString()
        ).lastInsertRowid
    )
    return toExternal(this.db.prepare('SELECT * FROM external_evaluations WHERE id = ?').get(id) as Row)
  }

  list(runId: number): ExternalEvaluation[] {
    return (this.db.prepare('SELECT * FROM external_evaluations WHERE run_id = ? ORDER BY id').all(runId) as Row[]).map(
      toExternal
    )
  }
}
