import { BulwarkError } from '../../core/index.ts';
import { parseManifest, selectPlatform, type Descriptor, type ImageManifest, type Platform } from '../oci/manifest.ts';

export interface ManifestBytes {
  bytes: Uint8Array;
  mediaType: string | undefined;
  /** Verified digest of `bytes`. */
  digest: string;
}

/** Nested indexes are legal but never deep; a cycle or a hostile chain ends here. */
const MAX_INDEX_DEPTH = 4;

/**
 * From the document a reference names to one image manifest: an index (manifest list) picks the
 * entry for `platform`, possibly through nested indexes. `fetch` returns verified bytes.
 */
export async function resolveManifest(
  first: ManifestBytes,
  fetch: (descriptor: Descriptor) => Promise<ManifestBytes>,
  platform: Platform,
  where: string,
): Promise<{ manifest: ImageManifest; manifestDigest: string; indexDigest?: string }> {
  let current = first;
  let indexDigest: string | undefined;
  for (let depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
    const document = parseManifest(current.bytes, `${where} (${current.digest})`, current.mediaType);
    if (document.kind === 'manifest') {
      return indexDigest === undefined ? { manifest: document, manifestDigest: current.digest } : { manifest: document, manifestDigest: current.digest, indexDigest };
    }
    indexDigest ??= current.digest;
    const chosen = selectPlatformOrOnly(document.manifests, platform, where);
    current = await fetch(chosen);
  }
  throw new BulwarkError('E_INPUT', `${where}: indexes nested deeper than ${MAX_INDEX_DEPTH}`);
}

function selectPlatformOrOnly(manifests: Descriptor[], platform: Platform, where: string): Descriptor {
  // An index of one entry without a platform (common in OCI layouts) is simply that entry.
  if (manifests.length === 1 && manifests[0]!.platform === undefined) return manifests[0]!;
  return selectPlatform({ kind: 'index', mediaType: '', manifests }, platform, where);
}
