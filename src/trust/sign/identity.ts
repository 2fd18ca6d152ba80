import { BulwarkError } from '../../core/index.ts';
import type { BundleKeyMaterial } from '../formats/bundle.ts';
import { keyHint } from '../keys/algorithm.ts';
import type { SigningKey } from '../keys/signing-key.ts';
import { certificatePem, type Certificate } from '../x509/certificate.ts';

/** A key, and the certificate (with its chain) that binds it to an identity, when signing with one. */
export interface SigningIdentity {
  key: SigningKey;
  certificate?: Certificate;
  /** Intermediates (and optionally the root) above the certificate, PEM, leaf's issuer first. */
  chain?: readonly Certificate[];
  /** Keyless: `key` is ephemeral, and a Fulcio CA certifies it for the OIDC identity of the token. */
  keyless?: KeylessOptions;
}

export interface KeylessOptions {
  fulcioUrl: string;
  /** An OIDC ID token. Secret: sent only to the CA, never printed. */
  identityToken: string;
  timeoutMs?: number;
}

export function signingIdentity(key: SigningKey, certificate?: Certificate, chain?: readonly Certificate[]): SigningIdentity {
  if (certificate === undefined) {
    if (chain !== undefined && chain.length > 0) throw new BulwarkError('E_USAGE', '--cert-chain needs --cert');
    return { key };
  }
  if (!certificate.publicKey.equals(key.publicKey)) {
    throw new BulwarkError('E_INPUT', `the certificate (${certificate.emails[0] ?? certificate.uris[0] ?? certificate.subject}) is not for the key ${key.location}`);
  }
  return chain === undefined ? { key, certificate } : { key, certificate, chain };
}

export function bundleMaterial(identity: SigningIdentity): BundleKeyMaterial {
  return identity.certificate === undefined ? { keyHint: keyHint(identity.key.publicKey) } : { certificate: identity.certificate.der };
}

const issuedChains = new WeakMap<SigningIdentity, readonly Certificate[]>();

/** Keyless: records the chain the CA sent above the certificate it issued for this identity's key. */
export function rememberIssuedChain(identity: SigningIdentity, chain: readonly Certificate[]): void {
  issuedChains.set(identity, chain);
}

/** Keyless: the CA's chain above the issued certificate (issuer first), once a certificate was issued. */
export function issuedChain(identity: SigningIdentity): readonly Certificate[] | undefined {
  return issuedChains.get(identity);
}

/** The cosign annotations that carry a certificate and its chain on a classic signature layer. */
export function certificateAnnotations(identity: SigningIdentity): Record<string, string> {
  if (identity.certificate === undefined) return {};
  const annotations: Record<string, string> = { 'dev.sigstore.cosign/certificate': certificatePem(identity.certificate) };
  if (identity.chain !== undefined && identity.chain.length > 0) annotations['dev.sigstore.cosign/chain'] = identity.chain.map(certificatePem).join('');
  return annotations;
}
