/** The split draws from the same seeded generator as training (one implementation, same sequence per seed). */
export { mulberry32 } from '../../training/loop/random'

/** Fisher–Yates shuffle in place with the given generator. */
export function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[items[i], items[j]] = [items[j], items[i]]
  }
  return items
}
