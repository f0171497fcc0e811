import type { Evaluation } from '../../shared/contract'
import { formatInterval } from '../../shared/format-interval'

/** An evaluation as terminal text: headline metrics with 95 % intervals, per-class table, confusion matrix. */
export function evaluationText(e: Evaluation, on = `the ${e.split} split`): string {
  const w = Math.max(8, ...e.classNames.map((c) => c.length))
  const iv = e.intervals
  const fmt = (v: number | null, i: { lower: number; upper: number } | null | undefined) =>
    formatInterval(v, i, { digits: 3 })
  const lines = [
    `evaluation on ${on} (${e.n} images): accuracy ${fmt(e.accuracy, iv?.accuracy)}, macro F1 ${fmt(e.macroF1, iv?.macroF1)}, macro AUC ${fmt(e.macroAuc, iv?.macroAuc)}, weighted F1 ${e.weightedF1.toFixed(3)}, ECE ${e.ece.toFixed(3)}`,
    iv ? `intervals: ${iv.description}` : 'intervals: none stored (evaluated before intervals existed)',
    '',
    `${'class'.padEnd(w)}  precision  recall  F1     support  AUC`,
    ...e.perClass.map(
      (c, i) =>
        `${c.name.padEnd(w)}  ${c.precision.toFixed(3).padStart(9)}  ${c.recall.toFixed(3).padStart(6)}  ${c.f1.toFixed(3)}  ${String(c.support).padStart(7)}  ${e.roc[i]?.auc?.toFixed(3) ?? '-'}`
    )
  ]
  if (iv) {
    lines.push('', `${'class'.padEnd(w)}  sensitivity            specificity            AUC`)
    iv.perClass.forEach((c, i) => {
      const cell = (x: typeof c.sensitivity) => (x ? fmt(x.estimate, x) : '-').padEnd(21)
      lines.push(
        `${e.classNames[i].padEnd(w)}  ${cell(c.sensitivity)}  ${cell(c.specificity)}  ${cell(c.auc).trimEnd()}`
      )
    })
  }
  lines.push(
    '',
    'confusion (rows = true, columns = predicted):',
    ...e.confusion.map((row, i) => `${e.classNames[i].padEnd(w)}  ${row.map((n) => String(n).padStart(5)).join(' ')}`)
  )
  return lines.join('\n')
}
