import { deriveSeed } from '../../training/loop/random'
import { groupedStratifiedFolds } from '../folds'

/** What a fold's split needs to know about one study item. */
export interface StudyItem {
  itemId: number
  fold: number
  label: number
  groupKey: string
}

/**
 * The splits of fold `fold`'s run: its own items are the test split (held out, predicted once); the other
 * folds' items are divided again, grouped and stratified, into train (4/5) and val (1/5), val being what
 * early stopping and checkpoint choice watch. Pure and seeded, so a resumed fold gets the same splits.
 */
export function foldSplits(
  items: readonly StudyItem[],
  numClasses: number,
  fold: number,
  seed: number
): Map<number, 'train' | 'val' | 'test'> {
  const out = new Map<number, 'train' | 'val' | 'test'>()
  const rest = items.filter((it) => it.fold !== fold)
  for (const it of items) if (it.fold === fold) out.set(it.itemId, 'test')
  const groups = new Set(rest.map((it) => it.groupKey)).size
  const inner = Math.min(5, groups)
  const innerFold =
    inner >= 2
      ? groupedStratifiedFolds(
          rest.map((it) => ({ label: it.label, group: it.groupKey })),
          numClasses,
          inner,
          deriveSeed(seed, 'cv-val', fold)
        )
      : new Int32Array(rest.length).fill(1)
  rest.forEach((it, i) => out.set(it.itemId, innerFold[i] === 0 ? 'val' : 'train'))
  return out
}
