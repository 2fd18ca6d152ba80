// The differential oracle of the fast parser: on any text, wherever the fast parser accepts a
// document, the full parser must produce the same value, positions and issues.
import assert from 'node:assert/strict';
import { parseFast } from '../fast-parser.ts';
import { parseFull } from '../full-parser.ts';
import { splitDocuments } from '../split.ts';
import { PositionTable } from '../tree.ts';
import { normalizeText } from '../yaml.ts';

// Outside YAML's printable set: C0 controls but tab and line breaks, DEL, C1 controls but NEL,
// U+FFFE/U+FFFF, and unpaired surrogates. The reference the fast parser's own check is held to.
const UNPRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Offsets of characters YAML does not allow, in order. */
export function unprintableOffsets(text: string): number[] {
  return [...text.matchAll(UNPRINTABLE)].map((m) => m.index);
}

/** Every recorded position under `value`, as `path → offset` lines, in table order. */
export function positions(table: PositionTable, value: unknown, record: number, path = '$', out: string[] = []): string[] {
  if (value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const offset = table.member(record, value, i);
      const child = offset < 0 ? -1 : table.memberChild;
      out.push(`${path}[${i}] @${offset}`);
      positions(table, item, child, `${path}[${i}]`, out);
    });
  } else {
    for (const [key, offset, child] of table.entriesOf(record, value as Record<string, unknown>)) {
      out.push(`${path}.${JSON.stringify(key)} @${offset}`);
      positions(table, (value as Record<string, unknown>)[key], child, `${path}.${JSON.stringify(key)}`, out);
    }
  }
  return out;
}

export interface Comparison {
  documents: number;
  fast: number;
}

/**
 * Parses every document of `raw` with both paths and asserts they agree wherever the fast path
 * accepts: same value, same root and field positions, same issues.
 */
export function compareParsers(raw: string): Comparison {
  const text = normalizeText(raw);
  const result = { documents: 0, fast: 0 };
  if (text.includes('\r')) return result;
  const unprintable = unprintableOffsets(text);
  for (const chunk of splitDocuments(text)) {
    result.documents++;
    if (chunk.directives) continue;
    const fastTable = new PositionTable();
    const fast = parseFast(text, chunk.start, chunk.marker, chunk.end, fastTable);
    if (fast === null) continue;
    const context = `document at ${chunk.start} of ${JSON.stringify(text)}`;
    assert.ok(!unprintable.some((at) => at >= chunk.start && at < chunk.end), `fast path accepted a character YAML does not allow: ${context}`);
    result.fast++;
    const fullTable = new PositionTable();
    const full = parseFull(text, chunk.start, chunk.end, fullTable);
    assert.deepEqual(full.fatal, [], `fast path accepted what the full path refuses: ${context}`);
    assert.equal(full.documents.length, 1, context);
    const reference = full.documents[0]!;
    assert.deepStrictEqual(fast.value, reference.value, `values differ: ${context}`);
    const rootOffset = reference.offset >= 0 ? reference.offset : chunk.marker >= 0 ? chunk.marker : chunk.start;
    assert.equal(fast.offset, rootOffset, `root positions differ: ${context}`);
    assert.deepStrictEqual(
      positions(fastTable, fast.value, fast.record),
      positions(fullTable, reference.value, reference.record),
      `positions differ: ${context}`,
    );
    assert.deepStrictEqual(fast.issues, reference.issues, `issues differ: ${context}`);
  }
  return result;
}

