// Readers for parsed YAML/JSON that may hold anything: every workload view and check goes through
// these so that a wrong type anywhere reads as "absent" instead of throwing.

export type Fields = Readonly<Record<string, unknown>>;

/** The value as a map of fields, or undefined for null, scalars and arrays. */
export function asFields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

export function asList(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/**
 * Kubernetes decodes an explicit `null` as an unset pointer, so both read as "not set". Callers pass
 * API field names, none of which is an Object.prototype member, so a plain property read is exact.
 */
export function fieldOf(fields: Fields | undefined, key: string): unknown {
  if (fields === undefined) return undefined;
  const value = fields[key];
  return value === null ? undefined : value;
}

/** A short rendering of a value for messages: strings quoted, long values cut. */
export function showValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'undefined';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
