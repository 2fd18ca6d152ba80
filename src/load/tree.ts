// What both YAML paths (the fast parser and the event constructor) and the JSON parser produce:
// plain JSON-like values, plus a side table of source offsets so that positions cost one small
// array per collection instead of a node object per value.

/**
 * Offsets of a collection's members, keyed by the collection object itself. For an array: one
 * offset per item. For an object: alternating key and offset, in source order; a key written twice
 * appears twice and the last entry is the one whose value was kept.
 */
export type PositionTable = Map<object, (string | number)[]>;

/** Something wrong with a document that does not stop it from being read (duplicate key, value JSON cannot hold). */
export interface Issue {
  /** Offset in the file's text. */
  offset: number;
  message: string;
}

/**
 * Sets `key` on a decoded mapping and tells whether it was already there. The last value wins, as
 * the API server's (non-strict) decoding does. `__proto__` is defined as an own property so a
 * manifest can never reach an object's prototype.
 */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): boolean {
  if (key === '__proto__') {
    const existed = Object.hasOwn(target, key);
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    return existed;
  }
  const existed = target[key] !== undefined && Object.hasOwn(target, key);
  target[key] = value;
  return existed;
}

export function duplicateKeyMessage(key: string): string {
  return `duplicate key ${JSON.stringify(key)} (the API server keeps the last value; kubectl's strict decoding rejects the document)`;
}

/** The message for a decoded number the JSON the API server receives cannot hold (goyaml's `.nan`, `.inf`). */
export function nonFiniteMessage(value: number): string {
  const spelled = Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  return `${spelled} cannot be represented in JSON: the API server rejects this document`;
}
