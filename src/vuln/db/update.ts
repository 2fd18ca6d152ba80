// Downloads OSV exports from a mirror (osv.dev's layout by default: BASE/ECOSYSTEM/all.zip) and
// loads them. Transfers are bounded in time and size, plain HTTP is refused except to loopback
// addresses, and the server's validators are kept so that an unchanged export is not fetched again.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BulwarkError } from '../../core/index.ts';
import { importOsv, touchSource, type ImportSummary } from './import.ts';
import type { VulnDb } from './store.ts';
import type { SourceKind } from '../source/read.ts';

export const DEFAULT_MIRROR = 'https://osv-vulnerabilities.storage.googleapis.com';

export interface UpdateOptions {
  now: Date;
  timeoutMs: number;
  maxBytes: number;
  /** Accept plain http:// beyond loopback addresses. */
  allowInsecureHttp?: boolean;
  /** Expected SHA-256 of the download (hex). */
  sha256?: string;
  onProgress?: (records: number) => void;
}

export type UpdateResult = ImportSummary & { notModified: false } | { location: string; notModified: true };

/** The export of one ecosystem on a mirror with osv.dev's layout. */
export function mirrorUrl(mirror: string, ecosystem: string): string {
  return `${mirror.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The URL as shown and recorded: without credentials or query (either may hold a secret). */
export function displayUrl(url: URL): string {
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  shown.search = '';
  shown.hash = '';
  return shown.href;
}

function checkScheme(url: URL, allowInsecureHttp: boolean): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && (allowInsecureHttp || isLoopback(url.hostname))) return;
  throw new BulwarkError(
    'E_USAGE',
    `${displayUrl(url)}: only https:// mirrors are accepted (plain http:// only for loopback addresses or with --allow-insecure-http)`,
  );
}

function kindFromPath(pathname: string): SourceKind | undefined {
  const lower = pathname.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  return undefined;
}

export async function updateFromUrl(db: VulnDb, href: string, options: UpdateOptions): Promise<UpdateResult> {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new BulwarkError('E_USAGE', `"${href.slice(0, 200)}" is not a URL`);
  }
  checkScheme(url, options.allowInsecureHttp === true);
  const location = displayUrl(url);

  const headers: Record<string, string> = { 'user-agent': 'bulwark-db-update' };
  if (url.username !== '' || url.password !== '') {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  }
  const request = new URL(url.href);
  request.username = '';
  request.password = '';
  const previous = db.statement('SELECT etag, last_modified FROM sources WHERE location = ?').get(location) as
    | { etag: string | null; last_modified: string | null }
    | undefined;
  if (options.sha256 === undefined) {
    if (previous?.etag) headers['if-none-match'] = previous.etag;
    if (previous?.last_modified) headers['if-modified-since'] = previous.last_modified;
  }

  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(request, { headers, redirect: 'follow', signal });
  } catch (error) {
    const reason = signal.aborted ? `no answer within ${Math.round(options.timeoutMs / 1000)} s` : error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new BulwarkError('E_IO', `${location}: download failed: ${reason}`, { cause: error });
  }
  if (response.url !== '') checkScheme(new URL(response.url), options.allowInsecureHttp === true);
  if (response.status === 304) {
    await response.body?.cancel();
    touchSource(db, location, options.now);
    return { location, notModified: true };
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new BulwarkError('E_IO', `${location}: download failed: HTTP ${response.status} ${response.statusText}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw new BulwarkError('E_TOO_LARGE', `${location}: ${declared} bytes exceeds the download limit of ${options.maxBytes} (--max-size)`);
  }
  if (response.body === null) throw new BulwarkError('E_IO', `${location}: empty response`);

  const dir = await mkdtemp(join(dirname(db.path), '.download-'));
  try {
    const file = join(dir, 'source');
    const hash = createHash('sha256');
    let bytes = 0;
    const counted = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>).map((chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > options.maxBytes) {
        throw new BulwarkError('E_TOO_LARGE', `${location}: more than ${options.maxBytes} bytes (--max-size)`);
      }
      hash.update(chunk);
      return chunk;
    });
    try {
      await pipeline(counted, createWriteStream(file, { mode: 0o600 }), { signal });
    } catch (error) {
      if (error instanceof BulwarkError) throw error;
      const reason = signal.aborted ? `not complete within ${Math.round(options.timeoutMs / 1000)} s` : error instanceof Error ? error.message : String(error);
      throw new BulwarkError('E_IO', `${location}: download failed: ${reason}`, { cause: error });
    }
    const sha256 = hash.digest('hex');
    if (options.sha256 !== undefined && options.sha256.toLowerCase() !== sha256) {
      throw new BulwarkError('E_INPUT', `${location}: SHA-256 is ${sha256}, expected ${options.sha256.toLowerCase()}`);
    }
    const summary = await importOsv(db, file, {
      origin: 'update',
      now: options.now,
      location,
      kind: kindFromPath(url.pathname),
      fetched: { etag: response.headers.get('etag') ?? undefined, lastModified: response.headers.get('last-modified') ?? undefined, sha256 },
      onProgress: options.onProgress,
    });
    return { ...summary, notModified: false };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Locations of earlier downloads, to refresh them all when no URL is given. */
export function downloadedSources(db: VulnDb): string[] {
  return (db.statement("SELECT location FROM sources WHERE origin = 'update' ORDER BY location").all() as { location: string }[]).map((r) => r.location);
}
