// cosign's classic layout: signatures and attestations of an image live in manifests tagged
// `sha256-<hex>.sig` and `sha256-<hex>.att` in the same repository, one layer per signature.
import { BulwarkError } from '../../core/index.ts';
import { isRecord, parseJson } from '../encoding/json.ts';
import { limits } from '../limits.ts';
import { MEDIA, parseDescriptor, sha256Digest, type Descriptor } from '../../image/registry/referrers.ts';

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';

export const ANNOTATION = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
  predicateType: 'predicateType',
} as const;

export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

export function attestationTag(digest: string): string {
  return `${digest.replace(':', '-')}.att`;
}

export interface ClassicLayer {
  bytes: Buffer;
  mediaType: string;
  annotations: Record<string, string>;
}

/**
 * The manifest and config for a set of signature layers. The config is a minimal image config listing
 * the layers, as cosign's (via go-containerregistry) is, so registries that validate configs accept it.
 */
export function buildClassicManifest(layers: ReadonlyArray<{ descriptor: Descriptor }>): { manifest: Buffer; config: Buffer } {
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.descriptor.digest) },
      config: {},
    }),
  );
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, size: config.length, digest: sha256Digest(config) },
    layers: layers.map((layer) => layer.descriptor),
  };
  return { manifest: Buffer.from(JSON.stringify(manifest)), config };
}

/** The layers of a signature or attestation manifest. */
export function parseClassicManifest(bytes: Buffer, what: string): Descriptor[] {
  const document = parseJson(bytes, what, limits.manifestBytes);
  if (!isRecord(document)) throw new BulwarkError('E_PARSE', `${what}: a manifest must be a JSON object`);
  if (!Array.isArray(document.layers)) throw new BulwarkError('E_PARSE', `${what}: "layers" must be an array`);
  if (document.layers.length > limits.signaturesPerImage) {
    throw new BulwarkError('E_TOO_LARGE', `${what}: ${document.layers.length} layers, more than the ${limits.signaturesPerImage} read`);
  }
  return document.layers.map((layer: unknown, index: number) => parseDescriptor(layer, `${what}: layers[${index}]`));
}
