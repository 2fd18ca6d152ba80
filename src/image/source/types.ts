import type { Readable } from 'node:stream';
import type { ImageConfig, Platform } from '../oci/manifest.ts';

/** One layer of a resolved image, opened only when the scan reaches it. */
export interface LayerBlob {
  /** The digest reports name the layer by: the blob's (compressed) digest, or its diff_id where the source has no other. */
  digest: string;
  /** Uncompressed digest the image config promises (`rootfs.diff_ids`); checked while walking. */
  diffId?: string;
  /** Bytes of the blob as stored (compressed), or -1 when unknown. */
  size: number;
  mediaType: string;
  /** The stored bytes, failing the stream when they do not hash to `digest`. */
  open(): Promise<Readable>;
}

/** An image whose manifest and config have been fetched and verified; layers are still to be read. */
export interface ResolvedImage {
  /** How the user named it, normalised: `docker.io/library/debian:12`, `oci:./layout:v1`. */
  name: string;
  /** Digest of the image manifest (not of the index), when the source has manifests. */
  manifestDigest?: string;
  /** Digest of the index the manifest was chosen from, for multi-platform images. */
  indexDigest?: string;
  platform: Platform;
  config: ImageConfig;
  configDigest: string;
  layers: LayerBlob[];
  /** `dir:` sources: the root filesystem to walk instead of layers. */
  rootDirectory?: string;
}

export interface ResolveOptions {
  platform: Platform;
}
