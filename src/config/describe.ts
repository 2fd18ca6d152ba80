// How a configuration value is named in error messages. Kept apart from the schema so that
// reading annotations never loads the schema library.

/** A short, quoted rendering of a value a user wrote, for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}
