// Sigstore bundles attached to an image as OCI 1.1 referrers: a manifest whose `subject` is the image,
// with the bundle as its one layer (the layout cosign v3 writes). Registries without the referrers API
// get the tag scheme: an index tagged `sha256-<hex>` listing the referrers.
import { BulwarkError } from '../../core/index.ts';
import { BUNDLE_V03_MEDIA_TYPE } from '../formats/bundle.ts';
import { limits } from '../limits.ts';
import { MEDIA, parseIndex, sha256Digest, type Descriptor } from '../../image/registry/referrers.ts';

/** The OCI empty descriptor's content: `{}`. */
export const EMPTY_CONFIG = Buffer.from('{}');

export const BUNDLE_ANNOTATION = {
  content: 'dev.sigstore.bundle.content',
  predicateType: 'dev.sigstore.bundle.predicateType',
  created: 'org.opencontainers.image.created',
} as const;

export function buildReferrerManifest(subject: Descriptor, layer: Descriptor, annotations: Record<string, string>): Buffer {
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    artifactType: BUNDLE_V03_MEDIA_TYPE,
    config: { mediaType: MEDIA.ociEmpty, digest: sha256Digest(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
  return Buffer.from(JSON.stringify(manifest));
}

/** The referrers index with one more entry (replacing an entry for the same manifest). */
export function addToReferrersIndex(existing: Buffer | undefined, entry: Descriptor, what: string): Buffer {
  const manifests = existing === undefined ? [] : parseIndex(existing, what).filter((descriptor) => descriptor.digest !== entry.digest);
  if (manifests.length >= limits.referrersPerImage) throw new BulwarkError('E_TOO_LARGE', `${what}: the referrers index already lists ${manifests.length} manifests`);
  manifests.push(entry);
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }));
}
