import { BulwarkError } from '../../../core/index.ts';

/**
 * Debian control-file paragraphs (deb822): `Field: value` lines, continuation lines starting with a
 * space or tab, paragraphs separated by blank lines. Field names are returned lower-cased. Lines that
 * fit no rule are skipped, since dpkg's own database never has them and a hostile one gains nothing.
 */
export function parseControlParagraphs(text: string, where: string, maxParagraphs = 500_000): Map<string, string>[] {
  const paragraphs: Map<string, string>[] = [];
  let current: Map<string, string> | null = null;
  let lastField: string | null = null;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') {
      if (current !== null) paragraphs.push(current);
      if (paragraphs.length > maxParagraphs) throw new BulwarkError('E_TOO_LARGE', `${where}: more than ${maxParagraphs} paragraphs`);
      current = null;
      lastField = null;
      continue;
    }
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      if (current !== null && lastField !== null) current.set(lastField, `${current.get(lastField)}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    current ??= new Map();
    lastField = line.slice(0, colon).toLowerCase();
    current.set(lastField, line.slice(colon + 1).trim());
  }
  if (current !== null) paragraphs.push(current);
  return paragraphs;
}
