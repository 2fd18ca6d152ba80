// A validation's `fieldPath` ("spec.containers[0].image", "metadata.labels['app.kubernetes.io/name']")
// as a field path for finding locations. The API server accepts dotted fields, numeric indexes and
// quoted map keys in brackets.
import type { FieldPath } from '../core/index.ts';

const MAX_LENGTH = 1024;

/** Parses `text`; throws an Error naming the problem and its column. */
export function parseFieldPath(text: string): FieldPath {
  if (text.length > MAX_LENGTH) throw new Error(`is longer than ${MAX_LENGTH} characters`);
  const out: (string | number)[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at column ${i + 1}`);
  };
  while (i < text.length) {
    if (text[i] === '[') {
      i++;
      const quote = text[i];
      if (quote === "'" || quote === '"') {
        const end = text.indexOf(quote, i + 1);
        if (end < 0) fail('unterminated quoted key');
        out.push(text.slice(i + 1, end));
        i = end + 1;
      } else {
        const match = /^[0-9]+/.exec(text.slice(i));
        if (match === null) fail('expected an index or a quoted key');
        out.push(Number(match![0]));
        i += match![0].length;
      }
      if (text[i] !== ']') fail("expected ']'");
      i++;
    } else {
      if (out.length > 0) {
        if (text[i] !== '.') fail("expected '.' or '['");
        i++;
      }
      const match = /^[A-Za-z_$][A-Za-z0-9_$-]*/.exec(text.slice(i));
      if (match === null) fail('expected a field name');
      out.push(match![0]);
      i += match![0].length;
    }
  }
  return out;
}
