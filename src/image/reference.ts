import { parseImageReference as parseKubeletReference } from '../checks/distribute/image-reference.ts';
import { BulwarkError } from '../core/index.ts';

/**
 * Image references as the Distribution project defines them (`[domain[:port]/]path[:tag][@digest]`),
 * normalised the way `docker pull` does: no domain means Docker Hub, and a one-component Hub path
 * means `library/`.
 */
export interface ImageReference {
  /** Registry host as written (or `docker.io`), with its port: `ghcr.io`, `127.0.0.1:5000`. */
  domain: string;
  /** Repository path inside the registry: `library/debian`, `org/team/app`. */
  path: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's Distribution API is actually served. */
export const DOCKER_HUB_API = 'registry-1.docker.io';

const SHA_HEX: Readonly<Record<string, RegExp>> = { sha256: /^[a-f0-9]{64}$/, sha384: /^[a-f0-9]{96}$/, sha512: /^[a-f0-9]{128}$/ };

/** `sha256:`, `sha384:` or `sha512:` and lowercase hex of the exact length; other algorithms cannot be verified. */
export function isValidDigest(digest: string): boolean {
  const colon = digest.indexOf(':');
  const pattern = SHA_HEX[digest.slice(0, colon)];
  return colon > 0 && pattern !== undefined && pattern.test(digest.slice(colon + 1));
}

/**
 * Parses a reference with the grammar the manifest checks use (src/checks/distribute/image-reference.ts,
 * the kubelet's reading), as a usage error when it is not one; no tag and no digest means `latest`.
 */
export function parseImageReference(reference: string): ImageReference {
  const result = parseKubeletReference(reference);
  if (!result.ok) {
    const shown = reference.length > 120 ? `${reference.slice(0, 120)}…` : reference;
    throw new BulwarkError('E_USAGE', `invalid image reference ${JSON.stringify(shown)}: ${result.error.message}`);
  }
  const { domain, path, tag, digest } = result.reference;
  const out: ImageReference = { domain, path };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  if (tag === undefined && digest === undefined) out.tag = 'latest';
  return out;
}

/** `domain/path:tag@digest`, the canonical spelling. */
export function formatImageReference(reference: ImageReference): string {
  let text = `${reference.domain}/${reference.path}`;
  if (reference.tag !== undefined) text += `:${reference.tag}`;
  if (reference.digest !== undefined) text += `@${reference.digest}`;
  return text;
}

/** The host the Distribution API is reached at. */
export function apiHost(reference: ImageReference): string {
  return reference.domain === DOCKER_HUB ? DOCKER_HUB_API : reference.domain;
}

/** Where an image comes from, as written on the command line. */
export type ImageLocation =
  | { kind: 'registry'; reference: ImageReference }
  | { kind: 'oci'; path: string; tag?: string }
  | { kind: 'docker-archive'; path: string; tag?: string }
  | { kind: 'dir'; path: string };

/** Splits `PATH[:TAG]` where PATH may itself contain colons: a suffix with no `/` after the last colon is a tag. */
function pathAndTag(text: string): { path: string; tag?: string } {
  const colon = text.lastIndexOf(':');
  if (colon > 0 && !text.slice(colon + 1).includes('/') && text.slice(colon + 1) !== '') {
    return { path: text.slice(0, colon), tag: text.slice(colon + 1) };
  }
  return { path: text };
}

/**
 * `REF` or `docker://REF` (a registry), `oci:DIR[:TAG]` (an OCI image layout), `docker-archive:FILE[:TAG]`
 * (`docker save`), `dir:ROOTFS` (an unpacked root filesystem).
 */
export function parseImageLocation(text: string): ImageLocation {
  for (const [prefix, kind] of [
    ['oci:', 'oci'],
    ['docker-archive:', 'docker-archive'],
  ] as const) {
    if (text.startsWith(prefix)) {
      const { path, tag } = pathAndTag(text.slice(prefix.length));
      if (path === '') throw new BulwarkError('E_USAGE', `"${text}": name a directory or file after "${prefix}"`);
      return tag === undefined ? { kind, path } : { kind, path, tag };
    }
  }
  if (text.startsWith('dir:')) {
    const path = text.slice(4);
    if (path === '') throw new BulwarkError('E_USAGE', `"${text}": name a directory after "dir:"`);
    return { kind: 'dir', path };
  }
  const reference = text.startsWith('docker://') ? text.slice('docker://'.length) : text;
  return { kind: 'registry', reference: parseImageReference(reference) };
}
