import { BulwarkError } from '../../core/index.ts';
import { openKeyFile } from './file-provider.ts';
import type { PassphraseSource } from './private-key.ts';
import { providerFor, type SigningKey } from './signing-key.ts';

/** `--key PATH` opens a key file; `--kms URI` goes through the provider registered for the URI's scheme. */
export async function openSigningKey(options: { key?: string; kms?: string }, passphrase: PassphraseSource): Promise<SigningKey> {
  if (options.key !== undefined && options.kms !== undefined) throw new BulwarkError('E_USAGE', 'give --key or --kms, not both');
  if (options.kms !== undefined) {
    const { provider, uri } = providerFor(options.kms);
    return provider.open(uri, passphrase);
  }
  if (options.key !== undefined) return openKeyFile(options.key, passphrase);
  throw new BulwarkError('E_USAGE', 'a signing key is needed: --key FILE or --kms URI');
}
