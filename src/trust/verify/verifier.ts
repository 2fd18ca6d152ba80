// What the CLI and the admission webhook call: resolve a reference to a digest, fetch what signs it,
// verify (pure), remember the verdict per digest and policy. Every step is bounded in time.
import { BulwarkError } from '../../core/index.ts';
import { apiHost, parseImageReference, type ImageReference } from '../../image/reference.ts';
import { describeError, failure } from '../errors.ts';
import { RegistryClient, type RegistryClientOptions } from '../../image/registry/client.ts';
import { VerificationCache } from './cache.ts';
import { fetchImageArtifacts } from './fetch.ts';
import { verifyImageSignatures, type ImagePolicy, type ImageVerification } from './image.ts';

/**
 * How signing and verification reach registries. Loopback registries are spoken to over plain HTTP
 * unless `plainHttpLoopback` is false, as cosign does; any other host only over HTTPS unless named.
 */
export type RegistryOptions = Omit<RegistryClientOptions, 'host'>;

export interface ImageVerifierOptions {
  registry?: RegistryOptions;
  cache?: VerificationCache;
  /** Bound on resolving and fetching one image (default 10 s). */
  timeoutMs?: number;
  now?: () => Date;
}

export interface ResolvedImage {
  reference: ImageReference;
  registry: RegistryClient;
  digest: string;
}

/** Resolves references and keeps one registry client (connections, tokens) per host. */
export class RegistryPool {
  readonly #registries = new Map<string, RegistryClient>();
  readonly #options: RegistryOptions;

  constructor(options: RegistryOptions = {}) {
    this.#options = options;
  }

  for(reference: ImageReference): RegistryClient {
    const host = apiHost(reference);
    let registry = this.#registries.get(host);
    if (registry === undefined) {
      registry = new RegistryClient({ plainHttpLoopback: true, ...this.#options, host });
      this.#registries.set(host, registry);
    }
    return registry;
  }

  /** Closes idle connections of every client. */
  close(): void {
    for (const registry of this.#registries.values()) registry.close();
  }

  parse(text: string): ImageReference {
    return parseImageReference(text);
  }

  /** The manifest digest a reference names: its own digest, or what its tag points at now. */
  async resolve(text: string): Promise<ResolvedImage> {
    const reference = parseImageReference(text);
    const registry = this.for(reference);
    if (reference.digest !== undefined) return { reference, registry, digest: reference.digest };
    const head = await registry.headManifest(reference.path, reference.tag ?? 'latest');
    if (head === undefined) throw new BulwarkError('E_INPUT', `${text}: no such image (tag ${reference.tag ?? 'latest'} not found in ${registry.host}/${reference.path})`);
    return { reference, registry, digest: head.digest };
  }
}

export class ImageVerifier {
  readonly pool: RegistryPool;
  readonly cache: VerificationCache;
  readonly #timeoutMs: number;
  readonly #now: () => Date;

  constructor(options: ImageVerifierOptions = {}) {
    this.pool = new RegistryPool(options.registry);
    this.cache = options.cache ?? new VerificationCache();
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Verifies an image against a policy. A failure to reach the registry is a verdict (`fetch-failed`
   * or `timeout`), not an exception, so an admission controller can decide on it; a malformed
   * reference is a usage error and throws.
   */
  async verify(reference: string, policy: ImagePolicy): Promise<ImageVerification & { cached: boolean }> {
    parseImageReference(reference);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`verifying ${reference} took longer than ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      return await Promise.race([this.#verify(reference, policy), deadline]);
    } catch (error) {
      if (error instanceof BulwarkError && error.code === 'E_USAGE') throw error;
      return {
        reference,
        repository: reference,
        digest: '',
        policy: policy.id,
        verified: false,
        signatures: [],
        attestations: [],
        rejected: [],
        reason: failure(error instanceof TimeoutError ? 'timeout' : 'fetch-failed', describeError(error)),
        cached: false,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async #verify(reference: string, policy: ImagePolicy): Promise<ImageVerification & { cached: boolean }> {
    const resolved = await this.pool.resolve(reference);
    const hit = this.cache.get(resolved.digest, policy.id);
    if (hit !== undefined) return { ...hit, reference, cached: true };
    const artifacts = await fetchImageArtifacts({
      registry: resolved.registry,
      repository: resolved.reference.path,
      digest: resolved.digest,
      reference,
      attestations: policy.attestations.length > 0,
    });
    const result = verifyImageSignatures(artifacts, policy, { now: this.#now() });
    this.cache.set(result);
    return { ...result, cached: false };
  }
}

class TimeoutError extends Error {}
