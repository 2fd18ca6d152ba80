import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BulwarkError } from '../../core/index.ts';

/** The digest of bytes in memory, in the algorithm `like` names (`sha256:…` by default). */
/** The hash algorithm a digest names (`sha256`, `sha384`, `sha512`). */
export function algorithmOf(digest: string): string {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  return algorithm === 'sha384' || algorithm === 'sha512' ? algorithm : 'sha256';
}

export function digestOf(bytes: Uint8Array, like = 'sha256:'): string {
  const algorithm = algorithmOf(like);
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export function verifyBytes(bytes: Uint8Array, expected: string, what: string, size?: number): void {
  if (size !== undefined && bytes.byteLength !== size) {
    throw new BulwarkError('E_INPUT', `${what}: expected ${size} bytes, got ${bytes.byteLength} (content does not match its descriptor)`);
  }
  const actual = digestOf(bytes, expected);
  if (actual !== expected) {
    throw new BulwarkError('E_INPUT', `${what}: digest mismatch: expected ${expected}, content hashes to ${actual}; the source served other bytes than it named`);
  }
}

/**
 * Passes bytes through while hashing them; fails the stream when more bytes than `size` arrive (a
 * blob never outgrows its descriptor, so a hostile server cannot make us read forever) and, at the end,
 * when the length or digest differ. Consumers therefore see an error before the stream ends cleanly:
 * nothing read from an unverified blob is reported as if it were verified.
 */
export class DigestVerifier extends Transform {
  readonly #hash: Hash;
  readonly #expected: string;
  readonly #size: number | undefined;
  readonly #what: string;
  #seen = 0;

  constructor(expected: string, what: string, size?: number) {
    super();
    this.#expected = expected;
    this.#size = size;
    this.#what = what;
    this.#hash = createHash(algorithmOf(expected));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#size !== undefined && this.#seen > this.#size) {
      callback(new BulwarkError('E_INPUT', `${this.#what}: more than the ${this.#size} bytes its descriptor declares`));
      return;
    }
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#size !== undefined && this.#seen !== this.#size) {
      callback(new BulwarkError('E_INPUT', `${this.#what}: ended after ${this.#seen} of ${this.#size} bytes`));
      return;
    }
    const actual = `${algorithmOf(this.#expected)}:${this.#hash.digest('hex')}`;
    if (actual !== this.#expected) {
      callback(new BulwarkError('E_INPUT', `${this.#what}: digest mismatch: expected ${this.#expected}, content hashes to ${actual}`));
      return;
    }
    callback();
  }
}
