// What the registry client reads and writes besides images: descriptors of artifacts (signatures,
// attestations, bundles) and the OCI 1.1 referrers index, with the tag scheme that stands in for the
// referrers API on registries without it.
import { BulwarkError } from '../../core/index.ts';
import { digestOf } from '../oci/digest.ts';
import { MEDIA_TYPES } from '../oci/manifest.ts';

/** Media types the client speaks: images, and the OCI 1.1 empty config of artifacts. */
export const MEDIA = {
  ...MEDIA_TYPES,
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/** A content descriptor as artifacts use it: an image's descriptor plus the artifact type. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** Referrers listed for one manifest; more is hostile or broken. */
export const MAX_REFERRERS = 512;

const SHA256 = /^sha256:[0-9a-f]{64}$/;

export function sha256Digest(bytes: Uint8Array): string {
  return digestOf(bytes);
}

/** The tag the referrers tag scheme keeps a manifest's referrers index under: `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

/** The descriptors of an image index (or referrers response), each checked; at most `MAX_REFERRERS`. */
export function parseIndex(bytes: Buffer, what: string): Descriptor[] {
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BulwarkError('E_PARSE', `${what}: not JSON`);
  }
  const manifests = document !== null && typeof document === 'object' ? (document as { manifests?: unknown }).manifests : undefined;
  if (!Array.isArray(manifests)) throw new BulwarkError('E_PARSE', `${what}: "manifests" must be an array`);
  return manifests.slice(0, MAX_REFERRERS).map((entry, index) => parseDescriptor(entry, `${what}: manifests[${index}]`));
}

export function parseDescriptor(entry: unknown, what: string): Descriptor {
  const value = entry as Partial<Descriptor> | null;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BulwarkError('E_PARSE', `${what}: a descriptor must be an object`);
  if (typeof value.mediaType !== 'string') throw new BulwarkError('E_PARSE', `${what}: "mediaType" must be a string`);
  if (typeof value.digest !== 'string' || !SHA256.test(value.digest)) throw new BulwarkError('E_PARSE', `${what}: "digest" must be sha256:<64 hex>`);
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) throw new BulwarkError('E_PARSE', `${what}: "size" must be a non-negative integer`);
  const descriptor: Descriptor = { mediaType: value.mediaType, digest: value.digest, size: value.size };
  if (typeof value.artifactType === 'string') descriptor.artifactType = value.artifactType;
  if (value.annotations !== undefined && value.annotations !== null && typeof value.annotations === 'object') {
    const annotations: Record<string, string> = {};
    for (const [key, text] of Object.entries(value.annotations)) if (typeof text === 'string') annotations[key] = text;
    descriptor.annotations = annotations;
  }
  return descriptor;
}

export function filterType(descriptors: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType === undefined ? descriptors : descriptors.filter((descriptor) => descriptor.artifactType === artifactType);
}
