import type { ImageVerification } from './image.ts';

export interface CacheOptions {
  maxEntries?: number;
  /** How long a verified result is reused. */
  ttlMs?: number;
  /** How long a failed result is reused: short, since the signature may be pushed just after the image. */
  negativeTtlMs?: number;
  now?: () => number;
}

/**
 * Verification results keyed by manifest digest and policy id. A digest names immutable content, so
 * a result stays true for as long as the policy and its keys are the same; the TTL bounds how long a
 * revoked key or a since-added signature goes unnoticed.
 */
export class VerificationCache {
  readonly #entries = new Map<string, { value: ImageVerification; expires: number }>();
  readonly #max: number;
  readonly #ttl: number;
  readonly #negativeTtl: number;
  readonly #now: () => number;
  hits = 0;
  misses = 0;

  constructor(options: CacheOptions = {}) {
    this.#max = options.maxEntries ?? 10_000;
    this.#ttl = options.ttlMs ?? 5 * 60_000;
    this.#negativeTtl = options.negativeTtlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  static key(digest: string, policyId: string): string {
    return `${digest}\u0000${policyId}`;
  }

  get(digest: string, policyId: string): ImageVerification | undefined {
    const key = VerificationCache.key(digest, policyId);
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expires <= this.#now()) {
      if (entry !== undefined) this.#entries.delete(key);
      this.misses++;
      return undefined;
    }
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.hits++;
    return entry.value;
  }

  set(value: ImageVerification): void {
    const key = VerificationCache.key(value.digest, value.policy);
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.#now() + (value.verified ? this.#ttl : this.#negativeTtl) });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
