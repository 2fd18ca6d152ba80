import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { BulwarkError } from '../../core/index.ts';
import { indexTar, type TarMember } from '../archive/tar-index.ts';
import { DigestVerifier, verifyBytes } from '../oci/digest.ts';
import { MAX_CONFIG_BYTES, parseImageConfig } from '../oci/manifest.ts';
import type { LayerBlob, ResolvedImage } from './types.ts';
import { ioReason } from '../../core/io-reason.ts';

const MAX_MANIFEST_JSON = 4 * 1024 * 1024;

interface ArchiveEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

const normalise = (name: string): string => name.replace(/^(\.\/)+/, '');

/** The digest a member's name encodes (`blobs/sha256/<hex>`, `<hex>.json`), if it encodes one. */
function digestFromName(name: string): string | undefined {
  const blob = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
  if (blob !== null) return `sha256:${blob[1]}`;
  const config = /^([a-f0-9]{64})\.json$/.exec(name);
  return config === null ? undefined : `sha256:${config[1]}`;
}

function parseArchiveManifest(bytes: Buffer, where: string): ArchiveEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new BulwarkError('E_PARSE', `${where}: manifest.json is not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(value)) throw new BulwarkError('E_PARSE', `${where}: manifest.json is not an array`);
  return value.map((entry: unknown, i) => {
    const e = entry as Record<string, unknown> | null;
    if (e === null || typeof e !== 'object' || typeof e.Config !== 'string' || !Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === 'string')) {
      throw new BulwarkError('E_PARSE', `${where}: manifest.json[${i}] needs Config and Layers`);
    }
    const tags = Array.isArray(e.RepoTags) ? e.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    return { Config: e.Config, RepoTags: tags, Layers: e.Layers as string[] };
  });
}

/** A `docker save` archive: an uncompressed tar of manifest.json, the config and the layer tars. */
export async function resolveDockerArchive(file: string, tag: string | undefined): Promise<ResolvedImage> {
  const where = `docker-archive:${file}`;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new BulwarkError('E_INPUT', `${where}: cannot open: ${ioReason(error)}`);
  }
  let members: TarMember[];
  try {
    const size = fstatSync(fd).size;
    members = indexTar(
      (position, length) => {
        const buffer = Buffer.alloc(length);
        const read = readSync(fd, buffer, 0, length, position);
        return buffer.subarray(0, read);
      },
      size,
      where,
    );
    const byName = new Map(members.map((m) => [normalise(m.name), m]));
    const read = (name: string, max: number): Buffer => {
      const member = byName.get(normalise(name));
      if (member === undefined) throw new BulwarkError('E_INPUT', `${where}: ${name} is not in the archive`);
      if (member.size > max) throw new BulwarkError('E_TOO_LARGE', `${where}: ${name} has ${member.size} bytes, more than ${max}`);
      const buffer = Buffer.alloc(member.size);
      readSync(fd, buffer, 0, member.size, member.offset);
      return buffer;
    };
    const entries = parseArchiveManifest(read('manifest.json', MAX_MANIFEST_JSON), where);
    let entry: ArchiveEntry | undefined;
    if (tag !== undefined) {
      entry = entries.find((e) => e.RepoTags.some((t) => t === tag || t.endsWith(`:${tag}`) || t.endsWith(`/${tag}`)));
      if (entry === undefined) throw new BulwarkError('E_INPUT', `${where}: no image tagged "${tag}" (tags: ${entries.flatMap((e) => e.RepoTags).join(', ') || 'none'})`);
    } else if (entries.length === 1) {
      entry = entries[0];
    } else {
      throw new BulwarkError('E_INPUT', `${where}: holds ${entries.length} images; choose one with docker-archive:FILE:TAG (tags: ${entries.flatMap((e) => e.RepoTags).join(', ')})`);
    }
    if (entry === undefined) throw new BulwarkError('E_INPUT', `${where}: manifest.json lists no image`);
    const configBytes = read(entry.Config, MAX_CONFIG_BYTES);
    const configDigest = digestFromName(normalise(entry.Config));
    if (configDigest !== undefined) verifyBytes(configBytes, configDigest, `${where} config`);
    const config = parseImageConfig(configBytes, `${where} config`);
    if (config.diffIds.length !== entry.Layers.length) {
      throw new BulwarkError('E_INPUT', `${where}: manifest.json lists ${entry.Layers.length} layers but the config's rootfs has ${config.diffIds.length} diff_ids`);
    }
    const layers: LayerBlob[] = entry.Layers.map((name, i) => {
      const member = byName.get(normalise(name));
      if (member === undefined) throw new BulwarkError('E_INPUT', `${where}: layer ${name} is not in the archive`);
      const blobDigest = digestFromName(normalise(name));
      const diffId = config.diffIds[i]!;
      return {
        digest: blobDigest ?? diffId,
        diffId,
        size: member.size,
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        open: async () => {
          if (member.size === 0) return Readable.from([]);
          const stream = createReadStream(file, { start: member.offset, end: member.offset + member.size - 1, highWaterMark: 256 * 1024 });
          if (blobDigest === undefined) return stream; // the walk checks the diff_id, which here is the layer's only digest
          const verifier = new DigestVerifier(blobDigest, `layer ${name}`, member.size);
          return stream.on('error', (e) => verifier.destroy(e)).pipe(verifier);
        },
      };
    });
    return {
      name: `${where}${tag === undefined ? '' : `:${tag}`}`,
      platform: { os: config.os, architecture: config.architecture, ...(config.variant === undefined ? {} : { variant: config.variant }) },
      config,
      configDigest: configDigest ?? '',
      layers,
    };
  } finally {
    closeSync(fd);
  }
}
