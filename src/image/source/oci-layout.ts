import { createReadStream, open as openCallback } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BulwarkError } from '../../core/index.ts';
import { DigestVerifier, digestOf, verifyBytes } from '../oci/digest.ts';
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES, parseImageConfig, parseManifest, type Descriptor } from '../oci/manifest.ts';
import { isValidDigest } from '../reference.ts';
import { resolveManifest, type ManifestBytes } from './resolve.ts';
import type { ResolvedImage, ResolveOptions } from './types.ts';
import { ioReason } from '../../core/io-reason.ts';

const REF_NAME = 'org.opencontainers.image.ref.name';

function blobPath(root: string, digest: string): string {
  // The digest was validated (algorithm and hex only), so it cannot climb out of blobs/.
  if (!isValidDigest(digest)) throw new BulwarkError('E_INPUT', `${root}: invalid digest ${JSON.stringify(digest)}`);
  const [algorithm, hex] = digest.split(':') as [string, string];
  return join(root, 'blobs', algorithm, hex);
}

async function readBounded(path: string, max: number, what: string): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new BulwarkError('E_INPUT', `${what}: ${path} is missing (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (size > max) throw new BulwarkError('E_TOO_LARGE', `${what}: ${path} has ${size} bytes, more than ${max}`);
  return readFile(path);
}

async function readBlob(root: string, descriptor: Descriptor, max: number, what: string): Promise<Buffer> {
  const bytes = await readBounded(blobPath(root, descriptor.digest), max, what);
  verifyBytes(bytes, descriptor.digest, `${what} ${descriptor.digest}`, descriptor.size);
  return bytes;
}

/** An OCI image layout directory (https://github.com/opencontainers/image-spec/blob/main/image-layout.md). */
export async function resolveOciLayout(root: string, tag: string | undefined, options: ResolveOptions): Promise<ResolvedImage> {
  const where = `oci:${root}${tag === undefined ? '' : `:${tag}`}`;
  const layoutFile = await readBounded(join(root, 'oci-layout'), 64 * 1024, where).catch(() => null);
  if (layoutFile === null) throw new BulwarkError('E_INPUT', `${where}: no oci-layout file; is this an OCI image layout directory?`);
  const indexBytes = await readBounded(join(root, 'index.json'), MAX_MANIFEST_BYTES, where);
  const index = parseManifest(indexBytes, `${where} index.json`, 'application/vnd.oci.image.index.v1+json');
  if (index.kind !== 'index') throw new BulwarkError('E_PARSE', `${where}: index.json is not an image index`);
  let entries = index.manifests;
  if (tag !== undefined) {
    entries = entries.filter((entry) => entry.annotations?.[REF_NAME] === tag);
    if (entries.length === 0) {
      const names = index.manifests.map((e) => e.annotations?.[REF_NAME]).filter((n) => n !== undefined);
      throw new BulwarkError('E_INPUT', `${where}: no manifest tagged "${tag}" (tags: ${names.join(', ') || 'none'})`);
    }
  }
  const fetch = async (descriptor: Descriptor): Promise<ManifestBytes> => ({
    bytes: await readBlob(root, descriptor, MAX_MANIFEST_BYTES, `${where} manifest`),
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
  });
  // Several tagged images and none chosen: the entries form an index of their own to pick from by platform.
  const first: ManifestBytes =
    entries.length === 1
      ? await fetch(entries[0]!)
      : (() => {
          const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
          return { bytes, mediaType: 'application/vnd.oci.image.index.v1+json', digest: digestOf(bytes) };
        })();
  const { manifest, manifestDigest, indexDigest } = await resolveManifest(first, fetch, options.platform, where);
  const configBytes = await readBlob(root, manifest.config, MAX_CONFIG_BYTES, `${where} config`);
  const config = parseImageConfig(configBytes, `${where} config`);
  if (config.diffIds.length !== manifest.layers.length) {
    throw new BulwarkError('E_INPUT', `${where}: the manifest lists ${manifest.layers.length} layers but the config's rootfs has ${config.diffIds.length} diff_ids`);
  }
  const image: ResolvedImage = {
    name: where,
    manifestDigest,
    platform: { os: config.os, architecture: config.architecture, ...(config.variant === undefined ? {} : { variant: config.variant }) },
    config,
    configDigest: manifest.config.digest,
    layers: manifest.layers.map((layer, i) => ({
      digest: layer.digest,
      diffId: config.diffIds[i]!,
      size: layer.size,
      mediaType: layer.mediaType,
      open: async () => {
        const path = blobPath(root, layer.digest);
        // Opened first so a missing blob is an error here, not an event on a stream nobody listens to yet.
        // A plain descriptor: callback reads cost less than a FileHandle's promise per read.
        const fd = await new Promise<number>((resolve, reject) =>
          openCallback(path, 'r', (error, opened) => (error === null ? resolve(opened) : reject(new BulwarkError('E_INPUT', `${where}: layer blob ${layer.digest} is missing (${ioReason(error)})`)))),
        );
        const verifier = new DigestVerifier(layer.digest, `layer ${layer.digest}`, layer.size);
        const file = createReadStream(path, { fd, highWaterMark: 256 * 1024 }).on('error', (e) => verifier.destroy(e));
        // A consumer that stops early closes the verifier; the descriptor goes with it.
        verifier.on('close', () => file.destroy());
        return file.pipe(verifier);
      },
    })),
  };
  if (indexDigest !== undefined && entries.length === 1) image.indexDigest = indexDigest;
  return image;
}
