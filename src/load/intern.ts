// Manifests repeat the same short strings endlessly (`name`, `image`, `TCP`, `IfNotPresent`). Reading
// them through a small cache saves allocating a string for each occurrence, and a key string met
// again is one the engine already internalized when it became a property name.
import { detachedSlice } from '../core/detach.ts';

const SIZE = 4096;
const MAX_LENGTH = 40;
const cache: (string | undefined)[] = new Array<string | undefined>(SIZE);
// Mapping keys have a table of their own, holding what each key text resolves to, so that a key
// met again costs neither a string nor a resolution.
const keyTexts: (string | undefined)[] = new Array<string | undefined>(SIZE);
const keyValues: (string | undefined)[] = new Array<string | undefined>(SIZE);
let keySlot = -1;

/**
 * Empties the caches. Called once per text parsed, so a cache never keeps a text alive (cached
 * strings may be slices of it) after its values are gone.
 */
export function resetInterning(): void {
  cache.fill(undefined);
  keyTexts.fill(undefined);
  keyValues.fill(undefined);
}

/** `units`: the code units of the text (see fast-parser.ts), where the hash reads them fastest. */
function slotOf(units: Uint16Array, start: number, end: number, length: number): number {
  return (length * 7919 + units[start]! * 31 + units[end - 1]! * 131 + units[start + (length >> 1)]!) & (SIZE - 1);
}

/**
 * `s.slice(start, end)` detached from `s` (a parsed value must not keep its file's text alive), shared
 * with an earlier equal string when short; `units` are s's code units.
 */
export function intern(s: string, units: Uint16Array, start: number, end: number): string {
  const length = end - start;
  if (length > MAX_LENGTH || length <= 0) return detachedSlice(s, start, end);
  const slot = slotOf(units, start, end, length);
  const hit = cache[slot];
  if (hit !== undefined && hit.length === length && s.startsWith(hit, start)) return hit;
  const copy = detachedSlice(s, start, end);
  cache[slot] = copy;
  return copy;
}

/**
 * The key the plain scalar `s[start, end)` resolved to when last seen, if it is still cached; a
 * miss readies {@link rememberKey} to cache it.
 */
export function knownKey(s: string, units: Uint16Array, start: number, end: number): string | undefined {
  const length = end - start;
  if (length > MAX_LENGTH || length <= 0) {
    keySlot = -1;
    return undefined;
  }
  const slot = slotOf(units, start, end, length);
  const hit = keyTexts[slot];
  if (hit !== undefined && hit.length === length && s.startsWith(hit, start)) return keyValues[slot];
  keySlot = slot;
  return undefined;
}

/** Caches the key `text` (the text {@link knownKey} just missed) resolves to. */
export function rememberKey(text: string, key: string): void {
  if (keySlot < 0) return;
  keyTexts[keySlot] = text;
  keyValues[keySlot] = key;
  keySlot = -1;
}
