import type { KeyObject } from 'node:crypto';
import { BulwarkError } from '../../core/index.ts';
import type { KeyAlgorithm, SignatureScheme } from './algorithm.ts';
import type { PassphraseSource, PrivateKeyFormat } from './private-key.ts';

/**
 * A key that can sign without handing out its private half. File keys implement it today; a cloud
 * KMS or an HSM plugs in as another provider with the same shape.
 */
export interface SigningKey {
  readonly publicKey: KeyObject;
  readonly scheme: SignatureScheme;
  /** Where the key lives, for messages (a path or a provider URI; never secret). */
  readonly location: string;
  sign(data: Uint8Array): Promise<Buffer>;
}

export interface GenerateOptions {
  algorithm: KeyAlgorithm;
  passphrase: PassphraseSource;
  format: PrivateKeyFormat;
  overwrite: boolean;
}

export interface GeneratedKey {
  publicKey: KeyObject;
  /** What was written, for the user to see. */
  written: string[];
}

export interface KeyProvider {
  /** The URI scheme this provider answers for, without `://` (e.g. `file`). */
  readonly scheme: string;
  generate(uri: URL, options: GenerateOptions): Promise<GeneratedKey>;
  open(uri: URL, passphrase: PassphraseSource): Promise<SigningKey>;
}

const providers = new Map<string, KeyProvider>();

export function registerKeyProvider(provider: KeyProvider): void {
  providers.set(provider.scheme, provider);
}

export function keyProviders(): string[] {
  return [...providers.keys()].sort();
}

/** The provider of a `scheme://…` key reference. */
export function providerFor(reference: string): { provider: KeyProvider; uri: URL } {
  const match = /^([a-z][a-z0-9+.-]*):\/\//.exec(reference);
  if (match === null) throw new BulwarkError('E_USAGE', `"${reference}" is not a key provider URI (expected e.g. file:///path/to/key)`);
  const provider = providers.get(match[1]!);
  if (provider === undefined) {
    throw new BulwarkError('E_USAGE', `no key provider for "${match[1]}://" (available: ${keyProviders().map((name) => `${name}://`).join(', ')})`);
  }
  let uri: URL;
  try {
    uri = new URL(reference);
  } catch (error) {
    throw new BulwarkError('E_USAGE', `"${reference}" is not a valid URI`, { cause: error });
  }
  return { provider, uri };
}
