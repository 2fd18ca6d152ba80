// The full YAML path: js-yaml's event parser for the syntax (any YAML, with its error messages), and
// a constructor over those events that decodes exactly as goyaml.v2 + sigs.k8s.io/yaml do: YAML 1.1
// scalar resolution, goyaml.v2's merge-key order (a merge overrides keys written before it, later keys
// override it), keys converted to JSON strings, aliases bounded as goyaml.v2 bounds them. It is used
// for documents the fast parser does not take, and it is the reference the fast parser is tested
// against. js-yaml's own constructor is not used because its merge and key semantics are YAML 1.2's.
import { createRequire } from 'node:module';
import type { DocumentEvent, Event, ScalarEvent } from 'js-yaml';
import { MAX_DEPTH, MAX_EXPANDED_DEPTH, MAX_KEY_LENGTH } from './limits.ts';
import { detach } from '../core/detach.ts';
import { keyString, resolvePlain, resolveTagged, resolvedTag, type ScalarTag } from './scalar.ts';
import { duplicateKeyMessage, isIndexKey, nonFiniteMessage, setKey, type Issue, type PositionTable } from './tree.ts';

type JsYaml = typeof import('js-yaml');
let jsYaml: JsYaml | undefined;

/** js-yaml, loaded on first use: most runs never leave the fast parser. */
function yamlLibrary(): JsYaml {
  jsYaml ??= createRequire(import.meta.url)('js-yaml') as JsYaml;
  return jsYaml;
}

function getScalarValue(source: string, event: ScalarEvent): string {
  return yamlLibrary().getScalarValue(source, event);
}

const DOCUMENT = 1;
const SEQUENCE = 2;
const MAPPING = 3;
const SCALAR = 4;
const ALIAS = 5;
const POP = 6;

const PLAIN = 1;
const SINGLE_QUOTED = 2;
const DOUBLE_QUOTED = 3;
const LITERAL = 4;
const FOLDED = 5;

export interface FullDocument {
  value: unknown;
  offset: number;
  /** The root's record in the position table (-1 for a scalar). */
  record: number;
  issues: Issue[];
}

export interface FullOutcome {
  documents: FullDocument[];
  /** Errors that cost a whole document (syntax errors, excessive aliasing). */
  fatal: Issue[];
}

/** Parses the chunk [start, end) of `text`; offsets in the result are offsets in `text`. */
export function parseFull(text: string, start: number, end: number, table: PositionTable): FullOutcome {
  const source = start === 0 && end === text.length ? text : text.slice(start, end);
  let events: Event[];
  try {
    events = yamlLibrary().parseEvents(source, { maxDepth: MAX_DEPTH });
  } catch (error) {
    return { documents: [], fatal: [syntaxIssue(error, start, end)] };
  }
  const documents: FullDocument[] = [];
  const fatal: Issue[] = [];
  let i = 0;
  while (i < events.length) {
    const event = events[i]!;
    if (event.type !== DOCUMENT) {
      i++;
      continue;
    }
    const constructor = new Constructor(source, start, events, i + 1, event, table);
    const mark = table.open();
    try {
      const document = constructor.document();
      documents.push(document);
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
      table.discard(mark);
      fatal.push({ offset: error.offset, message: error.message });
    }
    i = skipDocument(events, i + 1);
  }
  return { documents, fatal };
}

function syntaxIssue(error: unknown, start: number, end: number): Issue {
  const mark = (error as { mark?: { position?: number } }).mark;
  const reason = (error as { reason?: unknown }).reason;
  const message = typeof reason === 'string' ? reason : error instanceof Error ? error.message : String(error);
  const position = typeof mark?.position === 'number' ? mark.position : 0;
  return { offset: Math.min(start + position, end), message: `invalid YAML: ${message}` };
}

/** Index just past the POP that closes the document opened before `i`. */
function skipDocument(events: Event[], i: number): number {
  let depth = 1;
  while (i < events.length && depth > 0) {
    const type = events[i]!.type;
    if (type === DOCUMENT || type === SEQUENCE || type === MAPPING) depth++;
    else if (type === POP) depth--;
    i++;
  }
  return i;
}

class DocumentError extends Error {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(message);
    this.offset = offset;
  }
}

interface Anchor {
  value: unknown;
  /** The scalar tag when the anchored node is a scalar (keys through aliases need it). */
  tag: ScalarTag | null;
  /** Nodes decoded to build the value, counting alias expansions, as goyaml.v2 counts them. */
  size: number;
  /** Nesting height of the expanded value. */
  height: number;
  /** Still being constructed: an alias to it would be a cycle. */
  open: boolean;
  /** The position-table record of an anchored collection (-1 for a scalar). */
  record: number;
}

// goyaml.v2's guard against alias bombs: past 1,000 decoded nodes (100 of them from aliases), the
// share of alias-decoded nodes may not exceed 99% for small documents, shrinking to 10% at 4,000,000.
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}

const YAML_TAG_PREFIX = 'tag:yaml.org,2002:';

class Constructor {
  private readonly source: string;
  private readonly base: number;
  private readonly events: Event[];
  private i: number;
  private readonly handles = new Map<string, string>([
    ['!', '!'],
    ['!!', YAML_TAG_PREFIX],
  ]);
  private readonly table: PositionTable;
  private readonly issues: Issue[] = [];
  private readonly anchors = new Map<string, Anchor>();
  private decodeCount = 0;
  private aliasCount = 0;
  private depth = 0;
  private height = 0;
  // The tag of the last scalar constructed, for keys.
  private lastTag: ScalarTag | null = null;
  // The record of the last node constructed (-1 for a scalar); aliases share their anchor's.
  private lastRecord = -1;

  constructor(source: string, base: number, events: Event[], i: number, document: DocumentEvent, table: PositionTable) {
    this.source = source;
    this.base = base;
    this.events = events;
    this.i = i;
    this.table = table;
    for (const directive of document.directives) {
      if (directive.kind === 'tag') this.handles.set(directive.handle, directive.prefix);
    }
  }

  document(): FullDocument {
    const first = this.events[this.i];
    if (first === undefined || first.type === POP) {
      return { value: null, offset: -1, record: -1, issues: this.issues };
    }
    const offset = this.nodeStart(first);
    const value = this.node();
    return { value, offset, record: this.lastRecord, issues: this.issues };
  }

  /** Offset in the file where a node is written (its anchor or tag when it has them), or -1 when empty. */
  private nodeStart(event: Event): number {
    let at = -1;
    switch (event.type) {
      case SEQUENCE:
      case MAPPING:
        at = event.start;
        break;
      case SCALAR:
        at = this.scalarStart(event);
        break;
      case ALIAS:
        return this.base + event.anchorStart - 1;
      default:
        return -1;
    }
    if (event.tagStart >= 0 && (at < 0 || event.tagStart < at)) at = event.tagStart;
    if (event.anchorStart >= 0 && (at < 0 || event.anchorStart - 1 < at)) at = event.anchorStart - 1;
    return at < 0 ? -1 : this.base + at;
  }

  private scalarStart(event: ScalarEvent): number {
    if (event.valueStart < 0) return -1;
    if (event.style === SINGLE_QUOTED || event.style === DOUBLE_QUOTED) return event.valueStart - 1;
    if (event.style === LITERAL || event.style === FOLDED) return blockIndicator(this.source, event.valueStart);
    return event.valueStart;
  }

  private expandTag(raw: string): string {
    if (raw.startsWith('!<') && raw.endsWith('>')) return raw.slice(2, -1);
    const second = raw.indexOf('!', 1);
    const handle = second === -1 ? '!' : raw.slice(0, second + 1);
    const prefix = this.handles.get(handle);
    if (raw === '!') return '!';
    if (prefix === undefined) return raw;
    return prefix + decodeURIComponentSafe(raw.slice(handle.length));
  }

  private node(asKey = false): unknown {
    const event = this.events[this.i++]!;
    this.decodeCount++;
    switch (event.type) {
      case SCALAR:
        return this.scalar(event, asKey);
      case ALIAS: {
        const value = this.alias(event.anchorStart, event.anchorEnd);
        if (!asKey && typeof value === 'number' && !Number.isFinite(value)) {
          this.issues.push({ offset: this.base + event.anchorStart - 1, message: nonFiniteMessage(value) });
        }
        return value;
      }
      case SEQUENCE:
        return this.collection(event.anchorStart, event.anchorEnd, () => this.sequence(this.base + event.start));
      case MAPPING:
        return this.collection(event.anchorStart, event.anchorEnd, () => this.mapping(this.base + event.start));
      default:
        throw new DocumentError(this.base, `unexpected YAML event ${event.type}`);
    }
  }

  private scalar(event: ScalarEvent, asKey: boolean): unknown {
    this.lastRecord = -1;
    const scalar = event.valueStart < 0 ? '' : getScalarValue(this.source, event);
    // A key becomes a property name, which the engine copies anyway; a value may outlive the text.
    const text = asKey ? scalar : detach(scalar);
    let value: unknown;
    const at = this.nodeStart(event);
    if (event.tagStart >= 0) {
      const tag = this.expandTag(this.source.slice(event.tagStart, event.tagEnd));
      if (tag === '!') {
        value = text;
        this.lastTag = 'str';
      } else {
        const result = resolveTagged(tag, text);
        value = result.value;
        this.lastTag = resolvedTag;
        if (result.error !== undefined) this.issues.push({ offset: at, message: result.error });
      }
    } else if (event.style === PLAIN) {
      value = resolvePlain(text);
      this.lastTag = resolvedTag;
    } else {
      value = text;
      this.lastTag = 'str';
    }
    // As a key it becomes a string (`.inf`); as a value JSON cannot hold it.
    if (!asKey && typeof value === 'number' && !Number.isFinite(value)) {
      this.issues.push({ offset: at, message: nonFiniteMessage(value) });
    }
    if (event.anchorStart >= 0) {
      this.anchors.set(this.source.slice(event.anchorStart, event.anchorEnd), {
        value,
        tag: this.lastTag,
        size: 1,
        height: 0,
        open: false,
        record: -1,
      });
    }
    return value;
  }

  private alias(anchorStart: number, anchorEnd: number): unknown {
    const name = this.source.slice(anchorStart, anchorEnd);
    const at = this.base + anchorStart - 1;
    const anchor = this.anchors.get(name);
    if (anchor === undefined) throw new DocumentError(at, `unknown anchor '${name}' referenced`);
    if (anchor.open) throw new DocumentError(at, `anchor '${name}' value contains itself`);
    this.decodeCount += anchor.size;
    this.aliasCount += anchor.size;
    if (
      this.aliasCount > 100 &&
      this.decodeCount > 1000 &&
      this.aliasCount / this.decodeCount > allowedAliasRatio(this.decodeCount)
    ) {
      throw new DocumentError(at, 'document contains excessive aliasing');
    }
    const reach = this.depth + anchor.height;
    if (reach > MAX_EXPANDED_DEPTH) {
      throw new DocumentError(at, `aliases nest deeper than ${MAX_EXPANDED_DEPTH} levels`);
    }
    if (reach > this.height) this.height = reach;
    this.lastTag = anchor.tag;
    this.lastRecord = anchor.record;
    // Sharing the decoded value is safe: decoded objects are never mutated.
    return anchor.value;
  }

  private collection(anchorStart: number, anchorEnd: number, build: () => unknown): unknown {
    const before = this.decodeCount;
    let anchor: Anchor | undefined;
    if (anchorStart >= 0) {
      anchor = { value: null, tag: null, size: 0, height: 0, open: true, record: -1 };
      this.anchors.set(this.source.slice(anchorStart, anchorEnd), anchor);
    }
    const outerHeight = this.height;
    this.height = this.depth;
    this.depth++;
    if (this.depth > this.height) this.height = this.depth;
    const value = build();
    this.depth--;
    const height = this.height - this.depth;
    this.height = Math.max(outerHeight, this.height);
    this.lastTag = null;
    this.lastRecord = this.table.lastClosed;
    if (anchor !== undefined) {
      anchor.record = this.lastRecord;
      anchor.value = value;
      anchor.size = this.decodeCount - before + 1;
      anchor.height = height;
      anchor.open = false;
    }
    return value;
  }

  private sequence(start: number): unknown[] {
    const items: unknown[] = [];
    const mark = this.table.open();
    while (this.events[this.i]!.type !== POP) {
      const at = this.nodeStart(this.events[this.i]!);
      items.push(this.node());
      this.table.item(at < 0 ? start : at, this.lastRecord);
    }
    this.i++;
    this.table.close(mark);
    return items;
  }

  private mapping(start: number): Record<string, unknown> {
    const target: Record<string, unknown> = {};
    const mark = this.table.open();
    let keyed = false;
    // Once a merge has set keys, a key is a duplicate only if it was written explicitly before.
    let written: Set<string> | null = null;
    while (this.events[this.i]!.type !== POP) {
      const keyEvent = this.events[this.i]!;
      const keyStart = this.nodeStart(keyEvent);
      const keyAt = keyStart < 0 ? start : keyStart;
      if (
        keyEvent.type === SCALAR &&
        keyEvent.style === PLAIN &&
        keyEvent.tagStart < 0 &&
        getScalarValue(this.source, keyEvent) === '<<'
      ) {
        this.i++;
        this.decodeCount++;
        if (keyEvent.anchorStart >= 0) {
          this.anchors.set(this.source.slice(keyEvent.anchorStart, keyEvent.anchorEnd), {
            value: '<<',
            tag: 'str',
            size: 1,
            height: 0,
            open: false,
            record: -1,
          });
        }
        written ??= new Set(Object.keys(target));
        this.merge(target, keyAt);
        keyed = true;
        continue;
      }
      const keyValue = this.node(true);
      const keyTag = this.lastTag;
      let key: string | null = null;
      if (keyTag === null) {
        this.issues.push({ offset: keyAt, message: 'invalid map key: a mapping key must be a scalar' });
      } else if (typeof keyValue === 'string' && keyValue.length > MAX_KEY_LENGTH && keyEvent.type === SCALAR && keyEvent.style === PLAIN) {
        this.issues.push({ offset: keyAt, message: `mapping key longer than ${MAX_KEY_LENGTH} characters` });
      } else {
        key = keyString(keyValue, keyTag);
        if (key === null) {
          const text = keyEvent.type === SCALAR && keyEvent.valueStart >= 0 ? getScalarValue(this.source, keyEvent) : '';
          this.issues.push({
            offset: keyAt,
            message: `mapping key ${JSON.stringify(text)} decodes to ${describeKey(keyTag)}, which cannot be a JSON object key: the API server rejects this document`,
          });
        }
      }
      const value = this.node();
      if (key === null) continue;
      const existed = setKey(target, key, value);
      const duplicate = written === null ? existed : written.has(key);
      written?.add(key);
      if (duplicate) this.issues.push({ offset: keyAt, message: duplicateKeyMessage(key) });
      if (existed || isIndexKey(key)) keyed = true;
      this.table.entry(key, keyAt, this.lastRecord);
    }
    this.i++;
    this.table.close(mark, keyed);
    return target;
  }

  /** `<<: value`, as goyaml.v2 applies it: the merged keys are set now, in place, overriding earlier ones. */
  private merge(target: Record<string, unknown>, at: number): void {
    const event = this.events[this.i]!;
    const value = this.node();
    const record = this.lastRecord;
    const sources: [unknown, number][] = [];
    if (event.type === SEQUENCE) {
      // Earlier mappings take precedence, so they are applied last.
      (value as unknown[]).forEach((item, index) => {
        const found = this.table.member(record, value as unknown[], index);
        sources.unshift([item, found < 0 ? -1 : this.table.memberChild]);
      });
    } else {
      sources.push([value, record]);
    }
    for (const [source] of sources) {
      if (source === null || typeof source !== 'object' || Array.isArray(source)) {
        this.issues.push({ offset: at, message: 'map merge requires map or sequence of maps as the value' });
        return;
      }
    }
    for (const [source, sourceRecord] of sources) {
      const mapping = source as Record<string, unknown>;
      for (const [key, offset, child] of this.table.entriesOf(sourceRecord, mapping)) {
        setKey(target, key, mapping[key]);
        this.table.entry(key, offset < 0 ? at : offset, child);
      }
    }
  }
}

function describeKey(tag: ScalarTag): string {
  return tag === 'null' ? 'null' : 'an integer beyond the signed 64-bit range';
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The offset of a block scalar's `|` or `>`, given where js-yaml says its content starts (the line
 * after the header). The header is the first `|`/`>` on that line after which only indicators,
 * white space and a comment follow.
 */
function blockIndicator(source: string, valueStart: number): number {
  let headerEnd = valueStart;
  if (headerEnd > 0 && source.charCodeAt(headerEnd - 1) === 0x0a) headerEnd--;
  const lineStart = source.lastIndexOf('\n', headerEnd - 1) + 1;
  const line = source.slice(lineStart, headerEnd);
  for (let k = 0; k < line.length; k++) {
    const c = line.charCodeAt(k);
    if ((c === 0x7c || c === 0x3e) && (k === 0 || line.charCodeAt(k - 1) === 0x20 || line.charCodeAt(k - 1) === 0x09)) {
      if (/^[|>][-+0-9]*[ \t]*(#.*)?$/.test(line.slice(k))) return lineStart + k;
    }
  }
  return valueStart;
}
