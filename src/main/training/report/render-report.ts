import type { DatasetVersion, ExternalEvaluation, RunDetail, RunMark } from '../../../shared/contract'
import { engineLabel, flattenConfig, modelOriginLabel, splitLabel, stageBackendsLabel } from '../../../shared/contract'
import { formatDuration } from '../../../shared/format-duration'
import { cardInterval, externalSection, intervalsTable } from './intervals-html'
import { CLASS_COLORS, confusionSvg, esc, lineChartSvg, reliabilitySvg, type SvgMark } from './svg-charts'

/** Everything a run report shows. */
export interface ReportInput {
  run: RunDetail
  /** The frozen dataset version the run trained on. */
  version: DatasetVersion
  appVersion: string
  generatedAt: string
  /** The run's model evaluated on folders outside the catalog (none when absent). */
  externals?: readonly ExternalEvaluation[]
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)} %`)
const num = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '–' : v.toFixed(d))

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d232b;margin:0;background:#fff}
main{max-width:1040px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dde4;padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px}.muted{color:#5b6573}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}th,td{border:1px solid #d8dde4;padding:3px 8px;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f1f3f6}
.kv td:first-child{color:#5b6573;white-space:nowrap}.grid{display:flex;flex-wrap:wrap;gap:14px}
.card{border:1px solid #d8dde4;border-radius:8px;padding:10px 14px;min-width:130px}.card b{display:block;font-size:20px}.ci{display:block;color:#5b6573;font-size:11px}
svg{background:#fff;border:1px solid #e6e9ee;border-radius:6px}svg .t{font:600 13px sans-serif;fill:#1d232b}
svg .a{font:11px sans-serif;fill:#4a5462}svg .m{font:10px sans-serif}svg .c{font:10px sans-serif;fill:#111}
svg .g{stroke:#eceff3}svg .ax{stroke:#9aa3ae}code{background:#f1f3f6;padding:1px 4px;border-radius:3px}
.warn{color:#8a5a00}.flag{border:2px solid #c0392b;background:#fdf0ee;border-radius:8px;padding:10px 14px;margin:14px 0}
`

/** Curve x position of an epoch: stage-2 epochs continue after the stage-1 epochs recorded. */
function curveX(run: RunDetail): (stage: 1 | 2, epoch: number) => number {
  const s1 = run.epochs.filter((e) => e.stage === 1).length
  return (stage, epoch) => (stage === 2 ? s1 : 0) + epoch + 1
}

const MARK_COLORS: Record<RunMark['kind'], string> = {
  stage: '#6b4fbb',
  'early-stop': '#c0392b',
  'lr-drop': '#b7791f',
  checkpoint: '#2e8b57',
  resume: '#2b6cb0'
}

function curves(run: RunDetail): string {
  if (!run.epochs.length) return '<p class="muted">No epoch finished.</p>'
  const x = curveX(run)
  const marks: SvgMark[] = run.marks
    .filter((m) => m.kind !== 'checkpoint')
    .map((m) => ({
      x: x(m.stage, m.epoch) - (m.kind === 'stage' || m.kind === 'resume' ? 0.5 : 0),
      text: m.text,
      color: MARK_COLORS[m.kind]
    }))
  const pts = (f: (e: RunDetail['epochs'][number]) => number | null) =>
    run.epochs.filter((e) => f(e) !== null).map((e) => [x(e.stage, e.epoch), f(e) as number] as [number, number])
  return [
    lineChartSvg({
      title: 'Loss',
      xLabel: 'epoch',
      marks,
      series: [
        { name: 'loss (train)', color: '#1f77b4', points: pts((e) => e.loss) },
        { name: 'val_loss', color: '#ff7f0e', points: pts((e) => e.valLoss) }
      ]
    }),
    lineChartSvg({
      title: 'Accuracy',
      xLabel: 'epoch',
      yMin: 0,
      yMax: 1,
      marks,
      series: [
        { name: 'accuracy (train)', color: '#1f77b4', points: pts((e) => e.accuracy) },
        { name: 'val_accuracy', color: '#ff7f0e', points: pts((e) => e.valAccuracy) }
      ]
    }),
    lineChartSvg({
      title: 'Learning rate',
      xLabel: 'epoch',
      log: true,
      marks,
      series: [{ name: 'learning rate', color: '#2ca02c', points: pts((e) => e.lr) }]
    })
  ].join('\n')
}

function dataSection(v: DatasetVersion, run: RunDetail): string {
  const splits = ['train', 'val', 'test', 'unassigned'] as const
  const rows = run.classNames
    .map(
      (c) => `<tr><td>${esc(c)}</td>${splits.map((s) => `<td class="n">${v.counts[s]?.[c] ?? 0}</td>`).join('')}</tr>`
    )
    .join('')
  const totals = splits
    .map((s) => `<td class="n"><b>${Object.values(v.counts[s] ?? {}).reduce((a, b) => a + b, 0)}</b></td>`)
    .join('')
  const sc = v.splitConfig
  return `
<table class="kv">
<tr><td>Dataset</td><td>${esc(run.datasetName)} (id ${run.datasetId})</td></tr>
<tr><td>Version</td><td>v${v.number} (id ${v.id}), frozen ${esc(v.createdAt)}${v.note ? ` — ${esc(v.note)}` : ''}</td></tr>
<tr><td>Fingerprint</td><td><code>${esc(v.fingerprint)}</code> (SHA-256 over image hash, label and split)</td></tr>
<tr><td>Split</td><td>${sc ? `train ${sc.train} / val ${sc.val} / test ${sc.test}, seed ${sc.seed}, grouped by ${esc(sc.groupBy.kind)}` : 'unknown'}</td></tr>
<tr><td>Images</td><td>${v.items} included, ${v.excluded} excluded</td></tr>
</table>
<table><tr><th>class</th>${splits.map((s) => `<th class="n">${s}</th>`).join('')}</tr>${rows}<tr><td><b>total</b></td>${totals}</tr></table>`
}

function evaluationSection(run: RunDetail): string {
  const ev = run.evaluation
  if (!ev)
    return `<p class="muted">No evaluation: the run ${run.status === 'completed' ? 'has none' : `is ${esc(run.status)}`}.</p>`
  const per = ev.perClass
    .map(
      (c) =>
        `<tr><td>${esc(c.name)}</td><td class="n">${num(c.precision)}</td><td class="n">${num(c.recall)}</td><td class="n">${num(c.f1)}</td><td class="n">${c.support}</td></tr>`
    )
    .join('')
  const roc = lineChartSvg({
    title: `ROC, one vs rest (macro AUC ${num(ev.macroAuc)})`,
    xLabel: 'false positive rate',
    yLabel: 'true positive rate',
    xMin: 0,
    xMax: 1,
    yMin: 0,
    yMax: 1,
    square: true,
    legend: 'bottom-right',
    series: [
      ...ev.roc.map((r, i) => ({
        name: `${r.name} (${r.auc === null ? 'n/a' : r.auc.toFixed(2)})`,
        color: CLASS_COLORS[i % CLASS_COLORS.length],
        points: r.fpr.map((f, j) => [f, r.tpr[j]] as [number, number])
      })),
      {
        name: 'chance',
        color: '#aaaaaa',
        dashed: true,
        points: [
          [0, 0],
          [1, 1]
        ]
      }
    ]
  })
  const mis = ev.misclassified
    .slice(0, 50)
    .map(
      (m) =>
        `<tr><td>${esc(m.path)}${m.frame ? ` (frame ${m.frame + 1})` : ''}</td><td>${esc(m.trueClass)}</td><td>${esc(m.predicted)}</td><td class="n">${num(m.confidence)}</td></tr>`
    )
    .join('')
  return `
<p>On the <b>${splitLabel(ev.split)}</b> split (${ev.n} images)${ev.split === 'val' ? ' <span class="warn">— no test split: optimistic</span>' : ''}.</p>
<div class="grid">
<div class="card">${splitLabel(ev.split)} accuracy<b>${pct(ev.accuracy)}</b>${cardInterval(ev.intervals?.accuracy)}</div><div class="card">macro F1<b>${num(ev.macroF1)}</b>${cardInterval(ev.intervals?.macroF1)}</div>
<div class="card">weighted F1<b>${num(ev.weightedF1)}</b></div><div class="card">macro AUC<b>${num(ev.macroAuc)}</b>${cardInterval(ev.intervals?.macroAuc)}</div>
<div class="card">ECE<b>${num(ev.ece)}</b></div></div>
<h3>Per class</h3>
<table><tr><th>class</th><th class="n">precision</th><th class="n">recall</th><th class="n">F1</th><th class="n">support</th></tr>${per}</table>
${intervalsTable(ev)}
<div class="grid">${confusionSvg(ev.confusion, ev.classNames, false)}${confusionSvg(ev.confusion, ev.classNames, true)}</div>
<div class="grid">${roc}${reliabilitySvg(ev.reliability, ev.ece)}</div>
<h3>Misclassified (${ev.misclassified.length}${ev.misclassified.length > 50 ? ', the 50 most confident shown' : ''})</h3>
${mis ? `<table><tr><th>file</th><th>true</th><th>predicted</th><th class="n">confidence</th></tr>${mis}</table>` : '<p class="muted">None.</p>'}`
}

/** The learning verdict as a banner: a flagged model says so before any figure is trusted. */
/** The engine of each stage as the run recorded it; runs from before that record name only the process backend. */
function computeEngine(run: RunDetail): string {
  const stages = stageBackendsLabel(run.stageBackends)
  const origin = run.modelOrigin ? `; the saved weights are ${esc(modelOriginLabel(run.modelOrigin))}` : ''
  if (stages) return `${esc(stages)} (engine process backend: ${esc(run.backend ?? 'unknown')})${origin}`
  const b = run.backend ? engineLabel(run.backend) : 'unknown'
  return `${esc(b)} (this run did not record which engine ran each stage)${origin}`
}

function verdictSection(run: RunDetail): string {
  const v = run.verdict
  if (!v) return ''
  if (v.kind === 'learned' || v.kind === 'unknown')
    return `<p class="muted" data-verdict="${v.kind}">${esc(v.summary)}.</p>`
  const title = v.kind === 'did-not-learn' ? 'Did not learn' : 'Overfit'
  return `<div class="flag" data-verdict="${v.kind}"><b>${title}.</b> ${esc(v.summary)}.<br>${esc(v.cause)}</div>`
}

/**
 * The run report as one self-contained HTML document: inline CSS and SVG only (no scripts, fonts, images or
 * links to fetch), so it opens offline, prints, and can be archived with a paper or an audit.
 */
export function renderRunReport({ run, version, appVersion, generatedAt, externals = [] }: ReportInput): string {
  const cfg = flattenConfig(run.config)
  const b = run.backboneInfo
  const configRows = Object.entries(cfg)
    .map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td>${esc(String(v))}</td></tr>`)
    .join('')
  const marks = run.marks
    .map((m) => `<li>stage ${m.stage}, epoch ${m.epoch + 1}: ${esc(m.kind)} — ${esc(m.text)}</li>`)
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(run.name)} — NeuroPath training report</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(run.name)}</h1>
<p class="muted">Training run ${run.id} · ${esc(run.status)} · report generated ${esc(generatedAt)} by NeuroPath Workstation ${esc(appVersion)}</p>
<div class="grid">
<div class="card">best val accuracy<b>${pct(run.bestValAccuracy)}</b></div>
<div class="card">${run.evaluationSplit ? `${splitLabel(run.evaluationSplit)} accuracy` : 'evaluation accuracy'}<b>${pct(run.evaluationAccuracy)}</b></div>
<div class="card">${run.evaluationSplit ? `${splitLabel(run.evaluationSplit)} macro F1` : 'macro F1'}<b>${num(run.macroF1)}</b></div>
<div class="card">duration (wall clock)<b>${formatDuration(run.durationSeconds)}</b></div></div>
${verdictSection(run)}

<h2>Model card</h2>
<table class="kv">
<tr><td>Task</td><td>Image classification into ${run.classNames.length} classes: ${run.classNames.map(esc).join(', ')}</td></tr>
<tr><td>Architecture</td><td>MobileNetV2 backbone → global average pooling → dense ${run.config.head.fc1Units} → dropout ${run.config.head.dropout1} → dense ${run.config.head.fc2Units} → dropout ${run.config.head.dropout2} → softmax</td></tr>
<tr><td>Input</td><td>${run.config.inputSize} × ${run.config.inputSize} × 3, pixels scaled to ${esc(b?.inputScaling ?? run.config.scaling)}</td></tr>
<tr><td>Backbone</td><td>${esc(b?.description ?? run.backbone)}${b?.path ? `<br><span class="muted">${esc(b.path)}</span>` : ''}${b?.sha256 ? `<br><span class="muted">SHA-256 ${esc(b.sha256)}</span>` : ''}</td></tr>
<tr><td>Compute engine</td><td>${computeEngine(run)}</td></tr>
<tr><td>Trained</td><td>${esc(run.startedAt ?? '–')} → ${esc(run.finishedAt ?? '–')}, ${formatDuration(run.durationSeconds)} running; stages run: ${[1, 2].filter((s) => run.epochs.some((e) => e.stage === s)).join(', ') || 'none'}</td></tr>
<tr><td>Model folder</td><td>${run.modelDir ? `<code>${esc(run.modelDir)}</code> (neuropath.json describes it)` : '–'}</td></tr>
<tr><td>Intended use</td><td>Research on the dataset below. Not a medical device; not validated for clinical decisions.</td></tr>
${run.note ? `<tr><td>Note</td><td>${esc(run.note)}</td></tr>` : ''}
</table>

<h2>Data</h2>${dataSection(version, run)}
<h2>Training curves</h2><div class="grid">${curves(run)}</div>
${marks ? `<h3>Events</h3><ul>${marks}</ul>` : ''}
<h2>Evaluation</h2>${evaluationSection(run)}
<h2>External validation</h2>${externalSection(externals)}
<h2>Configuration</h2><table>${configRows}</table>
</main></body></html>
`
}
