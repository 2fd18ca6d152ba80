// Test helpers that make OCI images without Docker: layer tars (from a directory or from entries
// written by the test, hostile ones included), OCI image layouts, and a push of a layout to a registry
// through the Distribution API (monolithic blob uploads, then the manifest).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, lstatSync, readlinkSync, writeFileSync, existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import * as tar from 'tar-stream';
import type { TestRegistry } from './registry.ts';

export type Compression = 'gzip' | 'zstd' | 'none';

export interface TarEntrySpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: Buffer | string;
  mode?: number;
  linkname?: string;
  /** Declared size when it must differ from the content (hostile tars). */
  size?: number;
}

export const sha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A tar of the given entries, in order, exactly as written (no normalisation: hostile names stay). */
export async function tarOf(entries: readonly TarEntrySpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const entry of entries) {
    const content = entry.content === undefined ? undefined : Buffer.from(entry.content);
    const header = {
      name: entry.name,
      type: entry.type ?? 'file',
      mode: entry.mode ?? (entry.type === 'directory' ? 0o755 : 0o644),
      ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
      mtime: new Date(0),
      ...(entry.type === 'file' || entry.type === undefined ? { size: content?.length ?? 0 } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      if (content !== undefined && (entry.type ?? 'file') === 'file') pack.entry(header, content, (error) => (error ? reject(error) : resolve()));
      else (pack.entry(header, (error) => (error ? reject(error) : resolve())) as unknown as { end(): void }).end();
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A tar of a directory tree (symlinks kept as links, sorted, mtimes zeroed), under `prefix`. */
export async function tarOfDirectory(root: string, prefix = ''): Promise<Buffer> {
  return tarOf(entriesOfDirectory(root, prefix));
}

/** The entries of a directory tree, for `tarOf`, sorted, symlinks as links. */
export function entriesOfDirectory(root: string, prefix = ''): TarEntrySpec[] {
  const entries: TarEntrySpec[] = [];
  const walk = (relative: string): void => {
    for (const name of readdirSync(join(root, relative)).sort()) {
      const path = relative === '' ? name : `${relative}/${name}`;
      const full = join(root, path);
      const info = lstatSync(full);
      const name2 = `${prefix}${path}`;
      if (info.isSymbolicLink()) entries.push({ name: name2, type: 'symlink', linkname: readlinkSync(full) });
      else if (info.isDirectory()) {
        entries.push({ name: `${name2}/`, type: 'directory', mode: info.mode & 0o7777 });
        walk(path);
      } else if (info.isFile()) entries.push({ name: name2, content: readFileSync(full), mode: info.mode & 0o7777 });
    }
  };
  walk('');
  return entries;
}

export function compress(tarBytes: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return gzipSync(tarBytes, { level: 6 });
  if (compression === 'zstd') return zstdCompressSync(tarBytes);
  return tarBytes;
}

const LAYER_MEDIA: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

export interface ImageSpec {
  /** Uncompressed layer tars, lowest first. */
  layers: readonly Buffer[];
  compression?: Compression | readonly Compression[];
  /** Merged into the config's `config` object (User, Env, ExposedPorts, Healthcheck, …). */
  config?: Record<string, unknown>;
  history?: { created_by: string; empty_layer?: boolean }[];
  architecture?: string;
  os?: string;
}

export interface BuiltImage {
  manifest: Buffer;
  manifestDigest: string;
  config: Buffer;
  configDigest: string;
  blobs: Map<string, Buffer>;
  layerDigests: string[];
}

/** Config, layers and manifest of one image, all in memory, digests computed. */
export function buildImage(spec: ImageSpec): BuiltImage {
  const blobs = new Map<string, Buffer>();
  const layers = spec.layers.map((tarBytes, i) => {
    const compression = (Array.isArray(spec.compression) ? spec.compression[i] : spec.compression) ?? 'gzip';
    const blob = compress(tarBytes, compression as Compression);
    const digest = sha256(blob);
    blobs.set(digest, blob);
    return { mediaType: LAYER_MEDIA[compression as Compression], digest, size: blob.length, diffId: sha256(tarBytes) };
  });
  const config = Buffer.from(
    JSON.stringify({
      architecture: spec.architecture ?? 'amd64',
      os: spec.os ?? 'linux',
      created: '2026-01-01T00:00:00Z',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...spec.config },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: spec.history ?? layers.map((_, i) => ({ created_by: `layer ${i + 1}` })),
    }),
  );
  const configDigest = sha256(config);
  blobs.set(configDigest, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
    }),
  );
  const manifestDigest = sha256(manifest);
  blobs.set(manifestDigest, manifest);
  return { manifest, manifestDigest, config, configDigest, blobs, layerDigests: layers.map((l) => l.digest) };
}

/** An index over several images (multi-platform). */
export function buildIndex(images: readonly { image: BuiltImage; platform: { os: string; architecture: string; variant?: string } }[]): { index: Buffer; digest: string } {
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: images.map(({ image, platform }) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.manifestDigest, size: image.manifest.length, platform })),
    }),
  );
  return { index, digest: sha256(index) };
}

/** Writes an OCI image layout (oci-layout, index.json, blobs/sha256/…) with the images tagged. */
export function writeOciLayout(dir: string, tagged: readonly { tag: string; image: BuiltImage; index?: { index: Buffer; digest: string } }[]): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const manifests = [];
  for (const { tag, image, index } of tagged) {
    for (const [digest, bytes] of image.blobs) {
      const path = join(dir, 'blobs', 'sha256', digest.slice(7));
      if (!existsSync(path)) writeFileSync(path, bytes);
    }
    if (index !== undefined) {
      writeFileSync(join(dir, 'blobs', 'sha256', index.digest.slice(7)), index.index);
      manifests.push({ mediaType: 'application/vnd.oci.image.index.v1+json', digest: index.digest, size: index.index.length, annotations: { 'org.opencontainers.image.ref.name': tag } });
    } else {
      manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.manifestDigest, size: image.manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } });
    }
  }
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(method: string, url: URL, headers: Record<string, string>, body: Buffer | undefined, ca: string | undefined): Promise<RawResponse> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(body.length) }) }, ...(ca === undefined ? {} : { ca }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function authorization(registry: TestRegistry, repository: string): Promise<Record<string, string>> {
  if (registry.username === '') return {};
  if (registry.tokenUrl !== undefined) {
    const url = new URL(registry.tokenUrl);
    url.searchParams.set('service', 'bulwark-test-registry');
    url.searchParams.set('scope', `repository:${repository}:pull,push`);
    const basic = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    const response = await send('GET', url, { authorization: `Basic ${basic}` }, undefined, undefined);
    const { token } = JSON.parse(response.body.toString('utf8')) as { token: string };
    return { authorization: `Bearer ${token}` };
  }
  return { authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}` };
}

/** Pushes blobs, then manifests (and an index when given), then tags. */
export async function pushImage(registry: TestRegistry, repository: string, tag: string, image: BuiltImage, extra: { index?: { index: Buffer; digest: string }; others?: BuiltImage[] } = {}): Promise<void> {
  const auth = await authorization(registry, repository);
  const images = [image, ...(extra.others ?? [])];
  for (const built of images) {
    for (const [digest, bytes] of built.blobs) {
      if (digest === built.manifestDigest) continue;
      const head = await send('HEAD', new URL(`/v2/${repository}/blobs/${digest}`, registry.url), auth, undefined, registry.caPem);
      if (head.status === 200) continue;
      const start = await send('POST', new URL(`/v2/${repository}/blobs/uploads/`, registry.url), auth, Buffer.alloc(0), registry.caPem);
      if (start.status !== 202) throw new Error(`upload start ${start.status}: ${start.body.toString()}`);
      const location = new URL(String(start.headers.location), registry.url);
      location.searchParams.set('digest', digest);
      const put = await send('PUT', location, { ...auth, 'content-type': 'application/octet-stream' }, bytes, registry.caPem);
      if (put.status !== 201) throw new Error(`blob upload ${put.status}: ${put.body.toString()}`);
    }
    const reference = extra.index === undefined && built === image ? tag : built.manifestDigest;
    const put = await send('PUT', new URL(`/v2/${repository}/manifests/${reference}`, registry.url), { ...auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, built.manifest, registry.caPem);
    if (put.status !== 201) throw new Error(`manifest push ${put.status}: ${put.body.toString()}`);
  }
  if (extra.index !== undefined) {
    const put = await send('PUT', new URL(`/v2/${repository}/manifests/${tag}`, registry.url), { ...auth, 'content-type': 'application/vnd.oci.image.index.v1+json' }, extra.index.index, registry.caPem);
    if (put.status !== 201) throw new Error(`index push ${put.status}: ${put.body.toString()}`);
  }
}

/**
 * A `docker save` archive (the Docker 25+ layout: OCI blobs plus manifest.json) with uncompressed
 * layer tars, as `docker save` writes them.
 */
export async function writeDockerArchive(file: string, image: BuiltImage, uncompressedLayers: readonly Buffer[], repoTag: string): Promise<void> {
  const entries: TarEntrySpec[] = [{ name: 'blobs/', type: 'directory' }, { name: 'blobs/sha256/', type: 'directory' }];
  const layerNames: string[] = [];
  for (const layer of uncompressedLayers) {
    const name = `blobs/sha256/${sha256(layer).slice(7)}`;
    layerNames.push(name);
    entries.push({ name, content: layer });
  }
  const configName = `blobs/sha256/${image.configDigest.slice(7)}`;
  entries.push({ name: configName, content: image.config });
  entries.push({ name: 'manifest.json', content: JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layerNames }]) });
  writeFileSync(file, await tarOf(entries));
}
