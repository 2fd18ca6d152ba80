// Container image references, read exactly as the kubelet reads them (the distribution reference
// grammar, normalised the way `ParseNormalizedNamed` does), so that a check about registries, tags or
// digests judges the image that would really be pulled:
//
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path           domain := host [ ":" port ]
//   host      := domain-name | "[" ipv6 "]"    domain-name := component ( "." component )*
//   path      := path-component ( "/" path-component )*
//   path-component := [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*
//   tag       := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//   digest    := algorithm ":" [0-9a-fA-F]{32,}
//
// A first element that has no "." or ":", is not "localhost" and is lowercase is not a registry:
// `nginx` is `docker.io/library/nginx`, `bitnami/redis` is `docker.io/bitnami/redis`, and
// `index.docker.io` is `docker.io`. Digests must also be valid for their algorithm: sha256, sha384 and
// sha512 in lowercase hex of their exact length; the kubelet refuses any other algorithm.
//
// One deliberate difference: where the kubelet's parser, failing to read the first element as a
// registry (`foo_bar.com/x`), falls back to reading it as a repository without registry (which no
// runtime can then pull), this parser reports the registry as invalid. Checks about registries must
// not be sidestepped by a name that only looks like one.
import { BulwarkError, type ErrorLocation } from '../../core/index.ts';

export interface ImageReference {
  /** The registry, normalised: `docker.io` for Docker Hub, otherwise as written (`registry.example.com:5000`). */
  readonly domain: string;
  /** The repository inside the registry: `library/nginx`, `team/app`. */
  readonly path: string;
  /** The tag as written, or undefined (then the runtime pulls `latest` unless a digest is given). */
  readonly tag: string | undefined;
  /** `algorithm:hex`, or undefined. */
  readonly digest: string | undefined;
}

export type ImageReferenceErrorCode =
  | 'type'
  | 'empty'
  | 'too-long'
  | 'identifier'
  | 'domain'
  | 'path'
  | 'uppercase'
  | 'tag'
  | 'digest'
  | 'digest-unsupported';

export interface ImageReferenceError {
  readonly code: ImageReferenceErrorCode;
  /** Says what is wrong and where, without repeating the whole input. */
  readonly message: string;
}

export type ImageReferenceResult = { ok: true; reference: ImageReference } | { ok: false; error: ImageReferenceError };

export const DOCKER_HUB = 'docker.io';
/** Longer than any registry accepts (repository paths stop at 255); refusing it bounds the work. */
export const MAX_IMAGE_REFERENCE_LENGTH = 1024;
const MAX_PATH_LENGTH = 255;
const MAX_TAG_LENGTH = 128;

/** Lowercase hex length of each digest algorithm the kubelet's parser accepts. */
const DIGEST_LENGTHS: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6 = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
// Each separator needs an alphanumeric run on both sides, so matching is linear (no nested choice).
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const ALGORITHM = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/;
const HEX = /^[0-9a-fA-F]{32,}$/;
const LOWER_HEX = /^[0-9a-f]+$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;

function failure(code: ImageReferenceErrorCode, message: string): ImageReferenceResult {
  return { ok: false, error: { code, message } };
}

function shown(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

function validDomain(domain: string): boolean {
  let host = domain;
  // A port follows the last ":" unless that ":" is inside an IPv6 literal.
  const colon = domain.lastIndexOf(':');
  if (colon !== -1 && colon > domain.lastIndexOf(']')) {
    if (!PORT.test(domain.slice(colon + 1))) return false;
    host = domain.slice(0, colon);
  }
  if (host.startsWith('[')) return IPV6.test(host);
  if (host === '') return false;
  for (const component of host.split('.')) if (!DOMAIN_COMPONENT.test(component)) return false;
  return true;
}

/** How the kubelet splits `name` (no tag, no digest) into registry and repository. */
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { domain: DOCKER_HUB, path: `library/${name}` };
  const first = name.slice(0, slash);
  let domain: string;
  let path: string;
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    domain = first === 'index.docker.io' ? DOCKER_HUB : first;
    path = name.slice(slash + 1);
  } else {
    domain = DOCKER_HUB;
    path = name;
  }
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { domain, path };
}

function checkDigest(digest: string): ImageReferenceResult | undefined {
  const colon = digest.indexOf(':');
  const algorithm = colon === -1 ? '' : digest.slice(0, colon);
  const encoded = colon === -1 ? '' : digest.slice(colon + 1);
  if (!ALGORITHM.test(algorithm) || !HEX.test(encoded)) {
    return failure('digest', `digest ${shown(digest)} is not algorithm:hex with at least 32 hex digits`);
  }
  const length = DIGEST_LENGTHS.get(algorithm);
  if (length === undefined) {
    return failure('digest-unsupported', `digest algorithm ${shown(algorithm)} is not supported (sha256, sha384 or sha512)`);
  }
  if (encoded.length !== length || !LOWER_HEX.test(encoded)) {
    return failure('digest', `${algorithm} digest must be ${length} lowercase hex characters`);
  }
  return undefined;
}

/** Parses an image reference as the kubelet does. Never throws; the error says what and where. */
export function parseImageReference(value: unknown): ImageReferenceResult {
  if (typeof value !== 'string') return failure('type', `expected an image reference (a string); got ${value === null ? 'null' : typeof value}`);
  if (value === '') return failure('empty', 'the image reference is empty');
  if (value.length > MAX_IMAGE_REFERENCE_LENGTH) return failure('too-long', `the image reference is longer than ${MAX_IMAGE_REFERENCE_LENGTH} characters`);
  if (IDENTIFIER.test(value)) return failure('identifier', 'a 64-character hex string is an image ID, not a reference; name a repository');
  const at = value.indexOf('@');
  const beforeDigest = at === -1 ? value : value.slice(0, at);
  const digest = at === -1 ? undefined : value.slice(at + 1);
  // The tag follows the last ":" after the last "/"; a ":" before that belongs to a registry port.
  const colon = beforeDigest.lastIndexOf(':');
  const hasTag = colon !== -1 && colon > beforeDigest.lastIndexOf('/');
  const name = hasTag ? beforeDigest.slice(0, colon) : beforeDigest;
  const tag = hasTag ? beforeDigest.slice(colon + 1) : undefined;
  if (name === '') return failure('path', 'the image reference names no repository');
  const { domain, path } = splitDomain(name);
  if (domain !== DOCKER_HUB && !validDomain(domain)) {
    return failure('domain', `registry ${shown(domain)} is not a host name or address with an optional numeric port`);
  }
  if (path.toLowerCase() !== path) return failure('uppercase', `repository ${shown(path)} must be lowercase`);
  if (path.length > MAX_PATH_LENGTH) return failure('path', `repository name is longer than ${MAX_PATH_LENGTH} characters`);
  const components = path.split('/');
  for (const component of components) {
    if (!PATH_COMPONENT.test(component)) {
      return failure(
        'path',
        component === ''
          ? `repository ${shown(path)} has an empty path component`
          : `repository path component ${shown(component)} may hold only a-z, 0-9 and single separators (".", "_", "__", "-")`,
      );
    }
  }
  if (tag !== undefined && (tag.length > MAX_TAG_LENGTH || !TAG.test(tag))) {
    return failure('tag', `tag ${shown(tag)} must be 1 to ${MAX_TAG_LENGTH} of A-Z, a-z, 0-9, "_", "." and "-", not starting with "." or "-"`);
  }
  if (digest !== undefined) {
    const problem = checkDigest(digest);
    if (problem !== undefined) return problem;
  }
  return { ok: true, reference: { domain, path, tag, digest } };
}

/** For callers that stop on a bad reference (the image scanner): a typed error naming where it came from. */
export function parseImageReferenceOrThrow(value: string, where?: ErrorLocation): ImageReference {
  const result = parseImageReference(value);
  if (result.ok) return result.reference;
  throw new BulwarkError('E_INPUT', `invalid image reference ${shown(value)}: ${result.error.message}`, where === undefined ? undefined : { location: where });
}

/** The fully qualified form: `docker.io/library/nginx:1.27@sha256:…`. */
export function formatImageReference(reference: ImageReference): string {
  let text = `${reference.domain}/${reference.path}`;
  if (reference.tag !== undefined) text += `:${reference.tag}`;
  if (reference.digest !== undefined) text += `@${reference.digest}`;
  return text;
}
