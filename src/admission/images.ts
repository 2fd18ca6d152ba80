// Image policy on the images a pod would run: where they may come from, whether they must be
// pinned by digest, and the resolver that pins them (tag → digest) for the mutating webhook.
import type { FieldPath } from '../core/index.ts';
import { parseImageReference, type ImageReference } from '../image/reference.ts';
import type { PodView } from '../podspec/index.ts';

export interface ImageUse {
  /** The container's name, for messages. */
  container: string;
  image: string;
  /** Path of the `image` field from the object root. */
  path: FieldPath;
}

export function imagesOf(pods: readonly PodView[]): ImageUse[] {
  const uses: ImageUse[] = [];
  for (const pod of pods) {
    for (const container of pod.containers) {
      const image = container.raw['image'];
      if (typeof image === 'string') uses.push({ container: container.name, image, path: [...container.path, 'image'] });
    }
  }
  return uses;
}

/** Parses without throwing: an unparseable reference is itself a finding. */
export function tryParseImage(image: string): ImageReference | null {
  try {
    return parseImageReference(image);
  } catch {
    return null;
  }
}

/**
 * A registry entry allows `host` itself or a `host/path` prefix, on a path-segment boundary:
 * `ghcr.io/acme` allows `ghcr.io/acme/app` but not `ghcr.io/acme-evil/app`.
 */
export function registryAllowed(reference: ImageReference, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  const full = `${reference.domain}/${reference.path}`;
  return allowed.some((entry) => {
    const prefix = entry.endsWith('/') ? entry.slice(0, -1) : entry;
    return full === prefix || full.startsWith(`${prefix}/`);
  });
}

/** Pins tags to digests; the implementation owns registry connections and caching. */
export interface DigestResolver {
  /** The manifest digest the reference names now; throws when it cannot be resolved. */
  resolve(image: string): Promise<string>;
}

/** Remembers resolutions for a while, so a rollout of many replicas asks the registry once. */
export class CachingResolver implements DigestResolver {
  readonly #inner: DigestResolver;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { digest: Promise<string>; expires: number }>();
  readonly #observe: (outcome: 'hit' | 'miss') => void;
  readonly #maxEntries: number;

  constructor(inner: DigestResolver, options: { ttlMs?: number; maxEntries?: number; observe?: (outcome: 'hit' | 'miss') => void } = {}) {
    this.#inner = inner;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#observe = options.observe ?? (() => {});
  }

  resolve(image: string): Promise<string> {
    const now = Date.now();
    const entry = this.#entries.get(image);
    if (entry !== undefined && entry.expires > now) {
      this.#observe('hit');
      return entry.digest;
    }
    this.#observe('miss');
    const digest = this.#inner.resolve(image);
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(image, { digest, expires: now + this.#ttlMs });
    // A failure is not remembered: the next request asks again.
    digest.catch(() => this.#entries.delete(image));
    return digest;
  }
}

/** `repo:tag` → `repo:tag@digest`: the tag stays readable, the digest decides what is pulled. */
export function pinnedReference(image: string, digest: string): string {
  const at = image.indexOf('@');
  return `${at === -1 ? image : image.slice(0, at)}@${digest}`;
}
