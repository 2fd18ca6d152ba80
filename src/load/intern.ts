// Manifests repeat the same short strings endlessly (`name`, `image`, `TCP`, `IfNotPresent`). Reading
// them through a small cache saves allocating a string for each occurrence, and a key string met
// again is one the engine already internalized when it became a property name.

const SIZE = 4096;
const MAX_LENGTH = 40;
const cache: (string | undefined)[] = new Array<string | undefined>(SIZE);

/**
 * Empties the cache. Called once per text parsed, so the cache never keeps a text alive (cached
 * strings may be slices of it) after its values are gone.
 */
export function resetInterning(): void {
  cache.fill(undefined);
}

/** `s.slice(start, end)`, shared with an earlier equal string when short. */
export function intern(s: string, start: number, end: number): string {
  const length = end - start;
  if (length > MAX_LENGTH || length <= 0) return s.slice(start, end);
  const slot =
    (length * 7919 + s.charCodeAt(start) * 31 + s.charCodeAt(end - 1) * 131 + s.charCodeAt(start + (length >> 1))) & (SIZE - 1);
  const hit = cache[slot];
  if (hit !== undefined && hit.length === length && s.startsWith(hit, start)) return hit;
  const copy = s.slice(start, end);
  cache[slot] = copy;
  return copy;
}
