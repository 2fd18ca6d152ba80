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

const MAX_NAME_LENGTH = 255;
const MAX_REFERENCE_LENGTH = 4096;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const SHA256_HEX = /^[a-f0-9]{64}$/;
const SHA512_HEX = /^[a-f0-9]{128}$/;

function invalid(reference: string, why: string): BulwarkError {
  const shown = reference.length > 120 ? `${reference.slice(0, 120)}…` : reference;
  return new BulwarkError('E_USAGE', `invalid image reference ${JSON.stringify(shown)}: ${why}`);
}

/** `sha256:<64 hex>` or `sha512:<128 hex>`; other algorithms are refused since they cannot be verified. */
export function isValidDigest(digest: string): boolean {
  if (!DIGEST.test(digest)) return false;
  const [algorithm, hex] = digest.split(':') as [string, string];
  if (algorithm === 'sha256') return SHA256_HEX.test(hex);
  if (algorithm === 'sha512') return SHA512_HEX.test(hex);
  return false;
}

function isDomain(candidate: string): boolean {
  if (candidate === 'localhost') return true;
  // Only a first component that looks like a host (has a dot or a port, or is an IPv6 literal) is one:
  // `library/debian` stays a Hub path, as in `docker pull`.
  if (!candidate.includes('.') && !candidate.includes(':') && !candidate.startsWith('[')) return false;
  let host = candidate;
  let port: string | undefined;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return false;
    port = host.slice(end + 1);
    if (port !== '' && !port.startsWith(':')) return false;
    port = port === '' ? undefined : port.slice(1);
    host = host.slice(1, end);
    if (!/^[0-9A-Fa-f:.]+$/.test(host)) return false;
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
      port = host.slice(colon + 1);
      host = host.slice(0, colon);
    }
    if (!host.split('.').every((label) => DOMAIN_LABEL.test(label))) return false;
  }
  return port === undefined || /^[0-9]{1,5}$/.test(port);
}

export function parseImageReference(reference: string): ImageReference {
  if (typeof reference !== 'string' || reference === '') throw invalid(String(reference), 'empty');
  if (reference.length > MAX_REFERENCE_LENGTH) throw invalid(reference, `longer than ${MAX_REFERENCE_LENGTH} characters`);
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isValidDigest(digest)) throw invalid(reference, `digest "${digest}" is not sha256:<64 hex> or sha512:<128 hex>`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(reference, `tag "${tag}" must be 1-128 of [A-Za-z0-9_.-], not starting with . or -`);
  }
  if (rest === '') throw invalid(reference, 'no repository name');
  const parts = rest.split('/');
  let domain = DOCKER_HUB;
  if (parts.length > 1 && isDomain(parts[0]!)) domain = parts.shift()!;
  for (const part of parts) {
    if (!COMPONENT.test(part)) {
      throw invalid(reference, `path component "${part}" must be lowercase letters and digits separated by ".", "_", "__" or "-"`);
    }
  }
  if (domain === 'index.docker.io') domain = DOCKER_HUB;
  let path = parts.join('/');
  if (domain === DOCKER_HUB && parts.length === 1) path = `library/${path}`;
  if (`${domain}/${path}`.length > MAX_NAME_LENGTH) throw invalid(reference, `name longer than ${MAX_NAME_LENGTH} characters`);
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
