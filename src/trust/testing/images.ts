// Test-only: pushes small, unique images to a registry so each test signs its own digest.
import { randomBytes } from 'node:crypto';
import { RegistryClient } from '../../image/registry/client.ts';
import { MEDIA, sha256Digest } from '../../image/registry/referrers.ts';

export interface PushedImage {
  /** `host/repo:tag` */
  reference: string;
  /** `host/repo@sha256:…` */
  byDigest: string;
  digest: string;
  repository: string;
}

export async function pushImage(host: string, repository: string, tag: string): Promise<PushedImage> {
  const registry = new RegistryClient({ host, plainHttpLoopback: true });
  const layer = randomBytes(64);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] }, config: {} }));
  await registry.putBlob(repository, layer);
  await registry.putBlob(repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: sha256Digest(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256Digest(layer), size: layer.length }],
    }),
  );
  const { digest } = await registry.putManifest(repository, tag, MEDIA.ociManifest, manifest);
  return { reference: `${host}/${repository}:${tag}`, byDigest: `${host}/${repository}@${digest}`, digest, repository };
}
