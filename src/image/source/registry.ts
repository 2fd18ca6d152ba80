import { BulwarkError } from '../../core/index.ts';
import { MAX_CONFIG_BYTES, parseImageConfig, type Descriptor } from '../oci/manifest.ts';
import { apiHost, formatImageReference, type ImageReference } from '../reference.ts';
import { RegistryClient } from '../registry/client.ts';
import { credentialsFor, loadDockerConfig, type Credentials } from '../registry/docker-config.ts';
import { resolveManifest } from './resolve.ts';
import type { ResolvedImage, ResolveOptions } from './types.ts';

export interface RegistryAccess {
  /** Given on the command line (`--username` + `--password-stdin`); wins over the Docker config. */
  credentials?: Credentials;
  /** Hosts allowed over plain HTTP, exactly as named by `--insecure-registry`. */
  insecureHosts?: readonly string[];
  /** PEM text of extra CA certificates (`--ca-file`). */
  ca?: string;
  env?: NodeJS.ProcessEnv;
}

export async function resolveRegistryImage(reference: ImageReference, options: ResolveOptions & RegistryAccess): Promise<ResolvedImage> {
  const host = apiHost(reference);
  const env = options.env ?? process.env;
  const client = new RegistryClient({
    host,
    insecureHosts: new Set(options.insecureHosts ?? []),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    credentials: async () => options.credentials ?? (await credentialsFor(reference.domain, loadDockerConfig(env), 'Docker config', env)),
  });
  const name = formatImageReference(reference);
  const first = await client.getManifest(reference.path, reference.digest ?? reference.tag ?? 'latest');
  const fetch = async (descriptor: Descriptor) => client.getManifest(reference.path, descriptor.digest);
  const { manifest, manifestDigest, indexDigest } = await resolveManifest(first, fetch, options.platform, name);
  const configBytes = await client.readBlob(reference.path, manifest.config, MAX_CONFIG_BYTES);
  const config = parseImageConfig(configBytes, `${name} config ${manifest.config.digest}`);
  if (config.diffIds.length !== manifest.layers.length) {
    throw new BulwarkError('E_INPUT', `${name}: the manifest lists ${manifest.layers.length} layers but the config's rootfs has ${config.diffIds.length} diff_ids`);
  }
  const image: ResolvedImage = {
    name,
    manifestDigest,
    platform: { os: config.os, architecture: config.architecture, ...(config.variant === undefined ? {} : { variant: config.variant }) },
    config,
    configDigest: manifest.config.digest,
    layers: manifest.layers.map((layer, i) => ({
      digest: layer.digest,
      diffId: config.diffIds[i]!,
      size: layer.size,
      mediaType: layer.mediaType,
      open: () => client.openBlob(reference.path, layer),
    })),
  };
  if (indexDigest !== undefined) image.indexDigest = indexDigest;
  return image;
}
