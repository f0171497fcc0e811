import type { GroupBy, SplitConfig } from '../../../shared/contract/datasets'

/** The split panel's fields as typed: fractions as percentages, seed and grouping as text. */
export interface SplitForm {
  /** Percent of items for validation, 0–100. */
  valPercent: number
  /** Percent of items for test, 0–100. */
  testPercent: number
  seed: number
  groupKind: GroupBy['kind']
  /** Folder level for 'folder' (0 = class folder). */
  folderLevel: number
  /** Regular expression for 'regex'. */
  pattern: string
}

export const DEFAULT_SPLIT_FORM: SplitForm = {
  valPercent: 15,
  testPercent: 15,
  seed: 42,
  groupKind: 'patient',
  folderLevel: 1,
  pattern: ''
}

/** What the split request needs, or the reason the form cannot be sent (shown next to the Split button). */
export type SplitFormResult =
  { ok: true; val: number; test: number; seed: number; groupBy: GroupBy } | { ok: false; error: string }

/** Validates the form and turns percentages into fractions (val + test must leave a train fraction). */
export function readSplitForm(f: SplitForm): SplitFormResult {
  const pct = (v: number) => Number.isFinite(v) && v >= 0 && v <= 100
  if (!pct(f.valPercent) || !pct(f.testPercent)) return { ok: false, error: 'val and test must be 0–100 %' }
  if (f.valPercent + f.testPercent >= 100) {
    return { ok: false, error: `val ${f.valPercent} % + test ${f.testPercent} % leaves nothing for train` }
  }
  if (!Number.isInteger(f.seed) || f.seed < 0 || f.seed > 0xffffffff) {
    return { ok: false, error: 'seed must be a whole number from 0 to 4294967295' }
  }
  const groupBy = readGroupBy(f)
  if ('error' in groupBy) return { ok: false, error: groupBy.error }
  return { ok: true, val: f.valPercent / 100, test: f.testPercent / 100, seed: f.seed, groupBy }
}

function readGroupBy(f: SplitForm): GroupBy | { error: string } {
  switch (f.groupKind) {
    case 'patient':
      return { kind: 'patient' }
    case 'none':
      return { kind: 'none' }
    case 'folder':
      if (!Number.isInteger(f.folderLevel) || f.folderLevel < 0 || f.folderLevel > 64) {
        return { error: 'folder level must be a whole number from 0 to 64' }
      }
      return { kind: 'folder', level: f.folderLevel }
    case 'regex': {
      const pattern = f.pattern.trim()
      if (!pattern) return { error: 'type a regular expression for the group key (group 1 or the whole match)' }
      try {
        new RegExp(pattern)
      } catch (err) {
        return { error: `invalid regular expression: ${(err as Error).message}` }
      }
      return { kind: 'regex', pattern }
    }
  }
}

/** The train percentage the form implies (100 − val − test), never negative. */
export function trainPercent(f: SplitForm): number {
  return Math.max(0, Math.round((100 - f.valPercent - f.testPercent) * 100) / 100)
}

/** The form that reproduces a stored split (so the panel shows the last split's settings). */
export function formFromConfig(c: SplitConfig): SplitForm {
  return {
    valPercent: Math.round(c.val * 10000) / 100,
    testPercent: Math.round(c.test * 10000) / 100,
    seed: c.seed,
    groupKind: c.groupBy.kind,
    folderLevel: c.groupBy.kind === 'folder' ? c.groupBy.level : DEFAULT_SPLIT_FORM.folderLevel,
    pattern: c.groupBy.kind === 'regex' ? c.groupBy.pattern : ''
  }
}

/** The form with `g` as its grouping (the other fields unchanged). */
export function formWithGroupBy(f: SplitForm, g: GroupBy): SplitForm {
  return {
    ...f,
    groupKind: g.kind,
    folderLevel: g.kind === 'folder' ? g.level : f.folderLevel,
    pattern: g.kind === 'regex' ? g.pattern : f.pattern
  }
}

/** One line describing a grouping, e.g. "patient (0010,0020)", "folder level 1", "regex ^(\w+)/". */
export function describeGroupBy(g: GroupBy): string {
  switch (g.kind) {
    case 'patient':
      return 'patient (0010,0020)'
    case 'none':
      return 'none (each item alone)'
    case 'folder':
      return `folder level ${g.level}`
    case 'regex':
      return `regex ${g.pattern}`
  }
}
