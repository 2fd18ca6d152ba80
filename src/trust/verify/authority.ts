import { BulwarkError } from '../../core/index.ts';
import type { SigstoreTrust } from '../formats/trusted-root.ts';
import type { PublicKeyRef } from '../keys/public-key.ts';
import type { Certificate } from '../x509/certificate.ts';
import type { IdentityMatcher } from '../x509/identity.ts';

/**
 * One party whose signatures a policy accepts. It vouches through any of: public keys, a private CA
 * (roots + intermediates) with the identities it may have certified, or a Sigstore trusted root
 * (Fulcio certificates, Rekor and timestamp evidence), also with identities.
 */
export interface Authority {
  name: string;
  keys: readonly PublicKeyRef[];
  ca?: { roots: readonly Certificate[]; intermediates: readonly Certificate[] };
  /** Certificate identities accepted from `ca` or `sigstore`; at least one when either is set. */
  identities: readonly IdentityMatcher[];
  /**
   * With a Sigstore trusted root, bundles are verified as the Sigstore clients verify them:
   * transparency-log inclusion, certificate transparency and trusted timestamps, per the thresholds.
   */
  sigstore?: { trust: SigstoreTrust; tlogThreshold: number; ctlogThreshold: number; timestampThreshold: number };
  /**
   * For a private CA: transparency logs (from a trusted root) that must record each certificate
   * signature; the time they integrated it is the time the certificate is judged at.
   */
  transparency?: SigstoreTrust;
}

export function checkAuthority(authority: Authority): Authority {
  const hasCertificates = authority.ca !== undefined || (authority.sigstore !== undefined && authority.keys.length === 0);
  if (authority.keys.length === 0 && authority.ca === undefined && authority.sigstore === undefined) {
    throw new BulwarkError('E_CONFIG', `authority "${authority.name}": give it keys, a CA (roots) or a Sigstore trusted root`);
  }
  if (hasCertificates && authority.identities.length === 0) {
    throw new BulwarkError('E_CONFIG', `authority "${authority.name}": certificates are trusted only for named identities; add --cert-identity or --cert-identity-regexp (or identities: in the policy)`);
  }
  if (authority.ca !== undefined && authority.ca.roots.length === 0) throw new BulwarkError('E_CONFIG', `authority "${authority.name}": the CA has no root certificate`);
  return authority;
}

/** Who made a verified signature, as reported to users and the admission webhook. */
export type Signer =
  | { authority: string; kind: 'key'; keyId: string; keySource: string }
  | { authority: string; kind: 'certificate'; identity: string; issuer: string | undefined; certificate: string; chainRoot: string | undefined };

export function describeSigner(signer: Signer): string {
  if (signer.kind === 'key') return `key ${signer.keyId} (${signer.keySource})`;
  return `${signer.identity}${signer.issuer === undefined ? '' : ` (issuer ${signer.issuer})`}`;
}
