// OpenVEX documents (openvex.dev, spec v0.2.0; v0.0.x string forms accepted): statements that a
// product is `not_affected` by, or `fixed` for, a vulnerability suppress the matching findings.
// The latest statement (by timestamp, then document order) about a product and vulnerability wins.
import { readFile, stat } from 'node:fs/promises';
import { BulwarkError } from '../../core/index.ts';
import type { VulnMatch } from './match.ts';
import { ioReason } from '../../core/io-reason.ts';

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface VexProduct {
  id: string;
  /** Package URLs inside the product (an image's packages); empty means the whole product. */
  subcomponents: string[];
}

export interface VexStatement {
  /** The vulnerability name and its aliases. */
  vulnerabilities: string[];
  products: VexProduct[];
  status: VexStatus;
  justification: string | undefined;
  timestamp: string;
  index: number;
}

export interface VexDocument {
  file: string;
  statements: VexStatement[];
}

const STATUSES: readonly VexStatus[] = ['not_affected', 'affected', 'fixed', 'under_investigation'];
const MAX_VEX_BYTES = 32 * 1024 * 1024;
const MAX_STATEMENTS = 100_000;

function vexError(file: string, path: string, reason: string): BulwarkError {
  return new BulwarkError('E_PARSE', `${path}: ${reason}`, { location: { file } });
}

function str(file: string, value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '' || value.length > 4096) throw vexError(file, path, 'expected a non-empty string');
  return value;
}

function product(file: string, value: unknown, path: string): VexProduct {
  if (typeof value === 'string') return { id: value, subcomponents: [] };
  if (typeof value !== 'object' || value === null) throw vexError(file, path, 'expected a product object or string');
  const p = value as Record<string, unknown>;
  const identifiers = typeof p.identifiers === 'object' && p.identifiers !== null ? (p.identifiers as Record<string, unknown>) : {};
  const id = typeof p['@id'] === 'string' ? p['@id'] : typeof identifiers.purl === 'string' ? identifiers.purl : undefined;
  if (id === undefined) throw vexError(file, path, 'product without @id or identifiers.purl');
  const subs = p.subcomponents === undefined ? [] : p.subcomponents;
  if (!Array.isArray(subs)) throw vexError(file, `${path}.subcomponents`, 'expected an array');
  return { id, subcomponents: subs.map((s, i) => product(file, s, `${path}.subcomponents[${i}]`).id) };
}

/** Validates an OpenVEX document; `file` names it in errors. */
export function parseVex(text: string, file: string): VexDocument {
  if (text.length > MAX_VEX_BYTES) throw new BulwarkError('E_TOO_LARGE', `VEX document larger than ${MAX_VEX_BYTES} bytes`, { location: { file } });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw vexError(file, '(document)', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw vexError(file, '(document)', 'expected an OpenVEX object');
  const d = doc as Record<string, unknown>;
  if (typeof d['@context'] !== 'string' || !d['@context'].includes('openvex')) throw vexError(file, '@context', 'not an OpenVEX document');
  const docTime = typeof d.timestamp === 'string' ? d.timestamp : '';
  if (!Array.isArray(d.statements)) throw vexError(file, 'statements', 'expected an array');
  if (d.statements.length > MAX_STATEMENTS) throw vexError(file, 'statements', `more than ${MAX_STATEMENTS} statements`);
  const statements = d.statements.map((value, index): VexStatement => {
    const path = `statements[${index}]`;
    if (typeof value !== 'object' || value === null) throw vexError(file, path, 'expected an object');
    const s = value as Record<string, unknown>;
    const status = s.status;
    if (typeof status !== 'string' || !STATUSES.includes(status as VexStatus)) {
      throw vexError(file, `${path}.status`, `expected one of ${STATUSES.join(', ')}`);
    }
    let vulnerabilities: string[];
    if (typeof s.vulnerability === 'string') vulnerabilities = [s.vulnerability];
    else if (typeof s.vulnerability === 'object' && s.vulnerability !== null) {
      const v = s.vulnerability as Record<string, unknown>;
      vulnerabilities = [str(file, v.name ?? v['@id'], `${path}.vulnerability.name`)];
      if (Array.isArray(v.aliases)) vulnerabilities.push(...v.aliases.filter((a): a is string => typeof a === 'string'));
    } else throw vexError(file, `${path}.vulnerability`, 'missing');
    const products = s.products === undefined ? [] : s.products;
    if (!Array.isArray(products)) throw vexError(file, `${path}.products`, 'expected an array');
    return {
      vulnerabilities,
      products: products.map((p, i) => product(file, p, `${path}.products[${i}]`)),
      status: status as VexStatus,
      justification: typeof s.justification === 'string' ? s.justification : undefined,
      timestamp: typeof s.timestamp === 'string' ? s.timestamp : docTime,
      index,
    };
  });
  return { file, statements };
}

export async function readVex(file: string): Promise<VexDocument> {
  let text: string;
  try {
    const info = await stat(file);
    if (info.size > MAX_VEX_BYTES) throw new BulwarkError('E_TOO_LARGE', `VEX document larger than ${MAX_VEX_BYTES} bytes`, { location: { file } });
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof BulwarkError) throw error;
    throw new BulwarkError('E_INPUT', `cannot read the VEX document: ${ioReason(error)}`, { location: { file }, cause: error });
  }
  return parseVex(text, file);
}

interface Purl {
  type: string;
  namespace: string;
  name: string;
  version: string | undefined;
  qualifiers: Map<string, string>;
}

/** A package URL's parts (purl-spec), or undefined when the text is not one. */
export function parsePurl(text: string): Purl | undefined {
  const m = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\/+([^?#]+?)(?:@([^?#/]+))?(?:\?([^#]*))?(?:#.*)?$/.exec(text);
  if (m === null) return undefined;
  const type = m[1]!.toLowerCase();
  const segments = m[2]!.split('/').filter((s) => s !== '');
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  let name = decode(segments.pop() ?? '');
  let namespace = segments.map(decode).join('/');
  // Case-insensitive parts per purl-spec's type rules.
  if (['deb', 'apk', 'rpm', 'pypi'].includes(type)) namespace = namespace.toLowerCase();
  if (type === 'deb' || type === 'apk') name = name.toLowerCase();
  if (type === 'pypi') name = name.toLowerCase().replace(/[-_.]+/g, '-');
  const qualifiers = new Map<string, string>();
  for (const pair of (m[4] ?? '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq > 0) qualifiers.set(pair.slice(0, eq).toLowerCase(), decode(pair.slice(eq + 1)));
  }
  return { type, namespace, name, version: m[3] === undefined ? undefined : decode(m[3]), qualifiers };
}

/** Whether a statement's purl designates this package: same package, and version and qualifiers if it gives them. */
export function purlMatches(statement: string, pkg: string): boolean {
  if (statement === pkg) return true;
  const s = parsePurl(statement);
  const p = parsePurl(pkg);
  if (s === undefined || p === undefined) return false;
  if (s.type !== p.type || s.namespace !== p.namespace || s.name !== p.name) return false;
  if (s.version !== undefined && s.version !== p.version) return false;
  for (const [key, value] of s.qualifiers) if (p.qualifiers.get(key) !== value) return false;
  return true;
}

export interface VexContext {
  /** Identifiers of the scanned image (`pkg:oci/…`, reference, digests): statements about it apply to its packages. */
  imageIds: readonly string[];
}

/** The statement deciding a match, if any applies. */
export function decidingStatement(documents: readonly VexDocument[], match: VulnMatch, context: VexContext): VexStatement | undefined {
  const ids = new Set([match.id, ...match.aliases]);
  let best: VexStatement | undefined;
  let bestRank = '';
  for (const [d, document] of documents.entries()) {
    for (const statement of document.statements) {
      if (!statement.vulnerabilities.some((v) => ids.has(v))) continue;
      if (!appliesTo(statement, match, context)) continue;
      const rank = `${statement.timestamp}\u0000${String(d).padStart(6, '0')}${String(statement.index).padStart(9, '0')}`;
      if (best === undefined || rank >= bestRank) {
        best = statement;
        bestRank = rank;
      }
    }
  }
  return best;
}

function appliesTo(statement: VexStatement, match: VulnMatch, context: VexContext): boolean {
  if (statement.products.length === 0) return true;
  const purl = match.package.purl;
  return statement.products.some((product) => {
    const isImage = context.imageIds.some((id) => id === product.id || purlMatches(product.id, id) || imageRefMatches(product.id, id));
    if (isImage) return product.subcomponents.length === 0 || product.subcomponents.some((sub) => purlMatches(sub, purl));
    return purlMatches(product.id, purl);
  });
}

/** `registry/repo@sha256:…` designates the image whose digest it names. */
function imageRefMatches(product: string, id: string): boolean {
  const digest = /@(sha256:[0-9a-f]{64})$/.exec(product)?.[1];
  return digest !== undefined && id.includes(digest);
}

export function suppresses(statement: VexStatement | undefined): boolean {
  return statement !== undefined && (statement.status === 'not_affected' || statement.status === 'fixed');
}
