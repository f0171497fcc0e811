import type { Evaluation, ExternalEvaluation } from '../../../shared/contract'
import { formatInterval } from '../../../shared/format-interval'
import { esc } from './svg-charts'

/** '[0.87–0.94]' under a card's figure, or nothing for an evaluation stored without intervals. */
export function cardInterval(i: { lower: number; upper: number } | null | undefined): string {
  return i ? `<small class="ci">95 % CI ${i.lower.toFixed(3)}–${i.upper.toFixed(3)}</small>` : ''
}

/** Per-class sensitivity, specificity and AUC with their intervals, and the sentence naming the method. */
export function intervalsTable(ev: Evaluation): string {
  const iv = ev.intervals
  if (!iv) return '<p class="muted">No confidence intervals: this evaluation was stored before they were computed.</p>'
  const cell = (x: { estimate: number; lower: number; upper: number } | null) =>
    `<td class="n">${x ? formatInterval(x.estimate, x, { digits: 3 }) : '–'}</td>`
  const rows = iv.perClass
    .map(
      (c, i) => `<tr><td>${esc(ev.classNames[i])}</td>${cell(c.sensitivity)}${cell(c.specificity)}${cell(c.auc)}</tr>`
    )
    .join('')
  return `<h3>95 % confidence intervals</h3>
<p class="muted">Method: ${esc(iv.description)}.${iv.method === 'groups' ? ' Slices of one patient are not independent, so whole patients were resampled.' : ''}</p>
<table><tr><th>class</th><th class="n">sensitivity [95 % CI]</th><th class="n">specificity [95 % CI]</th><th class="n">AUC [95 % CI]</th></tr>${rows}</table>`
}

/** External validations of the run: one row per named folder, with per-class intervals below. */
export function externalSection(list: readonly ExternalEvaluation[]): string {
  if (!list.length) return '<p class="muted">None: the model was not evaluated on data outside the catalog.</p>'
  const f = (v: number, i: { lower: number; upper: number } | null | undefined) => formatInterval(v, i, { digits: 3 })
  const rows = list
    .map(
      (x) =>
        `<tr><td>${esc(x.name)}${x.tta ? ' (test-time augmentation)' : ''}</td><td><code>${esc(x.folder)}</code></td><td class="n">${x.evaluation.n}</td><td class="n">${f(x.evaluation.accuracy, x.evaluation.intervals?.accuracy)}</td><td class="n">${f(x.evaluation.macroF1, x.evaluation.intervals?.macroF1)}</td><td class="n">${x.evaluation.macroAuc === null ? '–' : f(x.evaluation.macroAuc, x.evaluation.intervals?.macroAuc)}</td></tr>`
    )
    .join('')
  const notes = list
    .flatMap((x) => [
      ...(x.skipped.unknownClasses.length
        ? [
            `${esc(x.name)}: subfolder(s) ${x.skipped.unknownClasses.map(esc).join(', ')} name no class of the model and were not evaluated.`
          ]
        : []),
      ...(x.skipped.missingClasses.length
        ? [`${esc(x.name)}: no images of ${x.skipped.missingClasses.map(esc).join(', ')}.`]
        : [])
    ])
    .map((n) => `<li>${n}</li>`)
    .join('')
  return `<table><tr><th>name</th><th>folder</th><th class="n">images</th><th class="n">accuracy [95 % CI]</th><th class="n">macro F1 [95 % CI]</th><th class="n">macro AUC [95 % CI]</th></tr>${rows}</table>
${notes ? `<ul class="muted">${notes}</ul>` : ''}${list.map((x) => `<h3>${esc(x.name)}</h3>${intervalsTable(x.evaluation)}`).join('')}`
}
