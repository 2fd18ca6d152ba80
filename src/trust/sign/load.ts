import { BulwarkError } from '../../core/index.ts';
import { parseJson } from '../encoding/json.ts';
import { FileSigningKey, readBoundedFile } from '../keys/file-provider.ts';
import { generateKeyPair } from '../keys/generate.ts';
import { limits } from '../limits.ts';
import { openSigningKey } from '../keys/open.ts';
import type { PassphraseSource } from '../keys/private-key.ts';
import { parseCertificatesPem } from '../x509/certificate.ts';
import { signingIdentity, type SigningIdentity } from './identity.ts';

export interface SignerFlags {
  key?: string;
  kms?: string;
  cert?: string;
  certChain?: string;
  /** Keyless: a Fulcio CA certifies an ephemeral key for the identity of an OIDC token. */
  fulcioUrl?: string;
  identityToken?: string;
}

/** The environment variable cosign reads an OIDC identity token from; Bulwark reads the same. */
export const IDENTITY_TOKEN_ENV = 'SIGSTORE_ID_TOKEN';

/**
 * The key (file or provider) and, when given, the certificate and chain that go with it; or, with a
 * Fulcio URL, an ephemeral key that the CA will certify (it never leaves this process).
 */
export async function loadSigningIdentity(flags: SignerFlags, passphrase: PassphraseSource, env: NodeJS.ProcessEnv = process.env): Promise<SigningIdentity> {
  if (flags.fulcioUrl !== undefined) {
    if (flags.key !== undefined || flags.kms !== undefined || flags.cert !== undefined || flags.certChain !== undefined) {
      throw new BulwarkError('E_USAGE', 'keyless signing (--fulcio-url) uses an ephemeral key certified by the CA: drop --key, --kms, --cert and --cert-chain');
    }
    const identityToken = (flags.identityToken ?? env[IDENTITY_TOKEN_ENV] ?? '').trim();
    if (identityToken === '') throw new BulwarkError('E_USAGE', `keyless signing needs an OIDC identity token: set ${IDENTITY_TOKEN_ENV} (or pass --identity-token)`);
    const pair = await generateKeyPair('ecdsa-p256');
    return { key: new FileSigningKey(pair.privateKey, pair.publicKey, 'ephemeral key'), keyless: { fulcioUrl: flags.fulcioUrl, identityToken } };
  }
  const key = await openSigningKey(flags, passphrase);
  const certificate = flags.cert === undefined ? undefined : parseCertificatesPem((await readBoundedFile(flags.cert, 'certificate')).toString('utf8'), flags.cert)[0];
  const chain = flags.certChain === undefined ? undefined : parseCertificatesPem((await readBoundedFile(flags.certChain, 'certificate chain')).toString('utf8'), flags.certChain);
  return signingIdentity(key, certificate, chain);
}

/** `key=value` flags → annotations. */
export function parseAnnotations(entries: readonly string[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    if (equals <= 0) throw new BulwarkError('E_USAGE', `annotation "${entry}": expected key=value`);
    annotations[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return annotations;
}

/**
 * A predicate file: JSON, or (for custom predicates only) any text, which is wrapped as
 * `{"Data": text}` as cosign does.
 */
export async function loadPredicate(file: string, allowText: boolean): Promise<unknown> {
  const bytes = await readBoundedFile(file, 'predicate', limits.attestationBlobBytes);
  try {
    return parseJson(bytes, file, limits.attestationBlobBytes);
  } catch (error) {
    if (!allowText) throw error;
    return { Data: bytes.toString('utf8') };
  }
}
