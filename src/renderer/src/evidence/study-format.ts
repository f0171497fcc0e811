import type { AcrossRuns, GroupBy } from '../../../shared/contract'

/** '0.912 ± 0.031 [0.874–0.950]': mean ± SD over folds and the 95 % interval of the mean; '–' when none. */
export function acrossText(a: AcrossRuns | null | undefined, digits = 3): string {
  if (!a || a.n === 0 || !Number.isFinite(a.mean)) return '–'
  return `${a.mean.toFixed(digits)} ± ${a.sd.toFixed(digits)} [${a.ci95[0].toFixed(digits)}–${a.ci95[1].toFixed(digits)}]`
}

/** How a study grouped its items, in words. */
export function groupByText(g: GroupBy): string {
  switch (g.kind) {
    case 'patient':
      return 'by patient (DICOM PatientID)'
    case 'none':
      return 'each image alone'
    case 'folder':
      return `by folder level ${g.level}`
    case 'regex':
      return `by /${g.pattern}/`
  }
}

/** The GroupBy of the form's choice and its detail field ('folder' level, 'regex' pattern). */
export function groupByOf(kind: string, detail: string): GroupBy | string {
  if (kind === 'patient' || kind === 'none') return { kind }
  if (kind === 'folder') {
    const level = Number(detail)
    return Number.isInteger(level) && level >= 0 && level <= 64
      ? { kind, level }
      : 'Folder level must be a whole number 0–64'
  }
  try {
    new RegExp(detail)
  } catch (err) {
    return `Pattern: ${(err as Error).message}`
  }
  return detail ? { kind: 'regex', pattern: detail } : 'Give a pattern'
}
