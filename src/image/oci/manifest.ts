import { BulwarkError } from '../../core/index.ts';
import { isValidDigest } from '../reference.ts';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** What we ask a registry for, best first. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerList, MEDIA_TYPES.dockerManifest].join(', ');

/** The Distribution project's own limit on manifests; anything larger is not a manifest. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Image configs carry history and labels; tens of KiB is normal. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export type ManifestDocument = ImageIndex | ImageManifest;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(where: string, why: string): BulwarkError {
  return new BulwarkError('E_PARSE', `${where}: ${why}`);
}

export function parseDescriptor(value: unknown, where: string): Descriptor {
  if (!isRecord(value)) throw fail(where, 'descriptor is not an object');
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '') throw fail(where, 'descriptor has no mediaType');
  if (typeof digest !== 'string' || !isValidDigest(digest)) throw fail(where, `descriptor digest ${JSON.stringify(digest)} is not a sha256/sha512 digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw fail(where, `descriptor size ${JSON.stringify(size)} is not a non-negative integer`);
  const out: Descriptor = { mediaType, digest, size };
  if (value.platform !== undefined) {
    const platform = value.platform;
    if (!isRecord(platform) || typeof platform.os !== 'string' || typeof platform.architecture !== 'string') {
      throw fail(where, 'descriptor platform needs os and architecture strings');
    }
    out.platform = { os: platform.os, architecture: platform.architecture };
    if (typeof platform.variant === 'string' && platform.variant !== '') out.platform.variant = platform.variant;
  }
  if (isRecord(value.annotations)) {
    const annotations: Record<string, string> = {};
    for (const [key, text] of Object.entries(value.annotations)) if (typeof text === 'string') annotations[key] = text;
    out.annotations = annotations;
  }
  return out;
}

/**
 * An image index / manifest list or an image manifest (OCI or Docker schema 2). The media type comes
 * from the document or, for documents that omit it, from the transport (the Content-Type header, the
 * descriptor that pointed at it).
 */
export function parseManifest(bytes: Uint8Array, where: string, declaredMediaType?: string): ManifestDocument {
  if (bytes.byteLength > MAX_MANIFEST_BYTES) {
    throw new BulwarkError('E_TOO_LARGE', `${where}: manifest of ${bytes.byteLength} bytes exceeds ${MAX_MANIFEST_BYTES}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw fail(where, `manifest is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw fail(where, 'manifest is not a JSON object');
  const mediaType = typeof value.mediaType === 'string' ? value.mediaType : (declaredMediaType ?? '');
  if (value.schemaVersion === 1 || mediaType === MEDIA_TYPES.dockerSchema1 || mediaType === MEDIA_TYPES.dockerSchema1Signed) {
    throw new BulwarkError('E_INPUT', `${where}: Docker schema 1 manifests are deprecated and not supported; push the image again with a current client`);
  }
  if (value.schemaVersion !== 2) throw fail(where, `schemaVersion ${JSON.stringify(value.schemaVersion)} is not 2`);
  const isIndex = Array.isArray(value.manifests) && value.layers === undefined;
  if (isIndex || mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList) {
    if (!Array.isArray(value.manifests)) throw fail(where, 'index has no manifests array');
    return {
      kind: 'index',
      mediaType: mediaType || MEDIA_TYPES.ociIndex,
      manifests: value.manifests.map((entry, i) => parseDescriptor(entry, `${where}: manifests[${i}]`)),
    };
  }
  if (!Array.isArray(value.layers)) throw fail(where, 'manifest has no layers array');
  if (value.config === undefined) throw fail(where, 'manifest has no config descriptor');
  return {
    kind: 'manifest',
    mediaType: mediaType || MEDIA_TYPES.ociManifest,
    config: parseDescriptor(value.config, `${where}: config`),
    layers: value.layers.map((entry, i) => parseDescriptor(entry, `${where}: layers[${i}]`)),
  };
}

/** Layer media types we can read; foreign (Windows) and encrypted layers are refused by name. */
export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' | 'detect' | null {
  if (mediaType.includes('encrypted')) return null;
  if (mediaType.endsWith('+gzip') || mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip') return 'gzip';
  if (mediaType.endsWith('+zstd')) return 'zstd';
  if (mediaType.endsWith('.tar') || mediaType === 'application/vnd.oci.image.layer.v1.tar') return 'none';
  if (mediaType.includes('foreign') || mediaType.includes('nondistributable')) return 'detect';
  return null;
}

/** `linux/amd64`, `linux/arm64/v8`. */
export function formatPlatform(platform: Platform): string {
  return `${platform.os}/${platform.architecture}${platform.variant === undefined ? '' : `/${platform.variant}`}`;
}

export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[a-z0-9_.-]+$/.test(part))) {
    throw new BulwarkError('E_USAGE', `--platform "${text}": write os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8`);
  }
  const out: Platform = { os: parts[0]!, architecture: parts[1]! };
  if (parts[2] !== undefined) out.variant = parts[2];
  return out;
}

/** This machine's platform in OCI terms; images are Linux even where the scanner runs elsewhere. */
export function hostPlatform(arch: string = process.arch): Platform {
  const map: Record<string, Platform> = {
    x64: { os: 'linux', architecture: 'amd64' },
    arm64: { os: 'linux', architecture: 'arm64' },
    arm: { os: 'linux', architecture: 'arm', variant: 'v7' },
    ia32: { os: 'linux', architecture: '386' },
    ppc64: { os: 'linux', architecture: 'ppc64le' },
    s390x: { os: 'linux', architecture: 's390x' },
    riscv64: { os: 'linux', architecture: 'riscv64' },
  };
  return map[arch] ?? { os: 'linux', architecture: arch };
}

/**
 * The index entry for `wanted`: same os and architecture, and the variant when both name one (arm64
 * images mostly omit `v8`). Attestation manifests (platform unknown/unknown) never match.
 */
export function selectPlatform(index: ImageIndex, wanted: Platform, where: string): Descriptor {
  const candidates = index.manifests.filter(
    (entry) =>
      entry.platform !== undefined &&
      entry.platform.os === wanted.os &&
      entry.platform.architecture === wanted.architecture &&
      (wanted.variant === undefined || entry.platform.variant === undefined || entry.platform.variant === wanted.variant),
  );
  const exact = candidates.find((entry) => entry.platform?.variant === wanted.variant);
  const chosen = exact ?? candidates[0];
  if (chosen === undefined) {
    const available = index.manifests
      .filter((entry) => entry.platform !== undefined && entry.platform.os !== 'unknown')
      .map((entry) => formatPlatform(entry.platform!));
    throw new BulwarkError(
      'E_INPUT',
      `${where}: no image for platform ${formatPlatform(wanted)}; the index offers ${available.length === 0 ? 'none with a platform' : available.join(', ')} (choose with --platform)`,
    );
  }
  return chosen;
}

/** The parts of an image configuration that the scan reads. */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  user: string;
  env: string[];
  exposedPorts: string[];
  healthcheck: { test: string[] } | null;
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  labels: Record<string, string>;
  diffIds: string[];
  history: { createdBy: string; emptyLayer: boolean }[];
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

export function parseImageConfig(bytes: Uint8Array, where: string): ImageConfig {
  if (bytes.byteLength > MAX_CONFIG_BYTES) throw new BulwarkError('E_TOO_LARGE', `${where}: image config of ${bytes.byteLength} bytes exceeds ${MAX_CONFIG_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw fail(where, `image config is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw fail(where, 'image config is not a JSON object');
  const config = isRecord(value.config) ? value.config : {};
  const rootfs = isRecord(value.rootfs) ? value.rootfs : {};
  const labels: Record<string, string> = {};
  if (isRecord(config.Labels)) for (const [k, v] of Object.entries(config.Labels)) if (typeof v === 'string') labels[k] = v;
  const healthcheck = isRecord(config.Healthcheck) ? { test: strings(config.Healthcheck.Test) } : null;
  const out: ImageConfig = {
    architecture: typeof value.architecture === 'string' ? value.architecture : '',
    os: typeof value.os === 'string' ? value.os : '',
    user: typeof config.User === 'string' ? config.User : '',
    env: strings(config.Env),
    exposedPorts: isRecord(config.ExposedPorts) ? Object.keys(config.ExposedPorts).sort() : [],
    healthcheck,
    entrypoint: strings(config.Entrypoint),
    cmd: strings(config.Cmd),
    workingDir: typeof config.WorkingDir === 'string' ? config.WorkingDir : '',
    labels,
    diffIds: strings(rootfs.diff_ids),
    history: Array.isArray(value.history)
      ? value.history.filter(isRecord).map((entry) => ({
          createdBy: typeof entry.created_by === 'string' ? entry.created_by : '',
          emptyLayer: entry.empty_layer === true,
        }))
      : [],
  };
  if (typeof value.variant === 'string') out.variant = value.variant;
  if (typeof value.created === 'string') out.created = value.created;
  for (const [i, diffId] of out.diffIds.entries()) {
    if (!isValidDigest(diffId)) throw fail(where, `rootfs.diff_ids[${i}] ${JSON.stringify(diffId)} is not a digest`);
  }
  return out;
}
