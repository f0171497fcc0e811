/**
 * Copy-on-write helpers for maps held in `$state.raw`: state classes replace a map instead of mutating it, so
 * everything that read it re-renders, and a page of 200 items never becomes 200 deep proxies.
 */

/** A copy of `m` with `key` set to `value`. */
export function withEntry<K, V>(m: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  return new Map(m).set(key, value)
}

/** A copy of `m` without `key` (`m` itself when it has no such key). */
export function withoutEntry<K, V>(m: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  if (!m.has(key)) return m
  const copy = new Map(m)
  copy.delete(key)
  return copy
}

/** A copy of `m` keeping only the `max` keys nearest to `centre` (numeric keys, e.g. page numbers). */
export function keepNearest<V>(m: ReadonlyMap<number, V>, centre: number, max: number): ReadonlyMap<number, V> {
  if (m.size <= max) return m
  const keep = [...m.keys()].sort((a, b) => Math.abs(a - centre) - Math.abs(b - centre)).slice(0, max)
  return new Map(keep.map((k) => [k, m.get(k) as V]))
}

/** An empty map of the given types. */
export function emptyMap<K, V>(): ReadonlyMap<K, V> {
  return new Map<K, V>()
}
