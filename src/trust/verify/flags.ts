// Turns the verification flags shared by `bulwark verify image|blob|attestation` (the same as cosign's
// and the Sigstore conformance protocol's) into authorities and an image policy.
import { createHash } from 'node:crypto';
import { BulwarkError } from '../../core/index.ts';
import { parseTrustedRoot, publicGoodTrustedRoot, type SigstoreTrust } from '../formats/trusted-root.ts';
import { predicateTypeUri } from '../formats/intoto.ts';
import { readBoundedFile } from '../keys/file-provider.ts';
import { parsePublicKeys, type PublicKeyRef } from '../keys/public-key.ts';
import { limits } from '../limits.ts';
import { parseCertificatesPem, type Certificate } from '../x509/certificate.ts';
import { compilePattern, type IdentityMatcher } from '../x509/identity.ts';
import { checkAuthority, type Authority } from './authority.ts';
import type { ImagePolicy } from './image.ts';

export interface TrustFlags {
  key?: string[];
  certIdentity?: string;
  certIdentityRegexp?: string;
  certOidcIssuer?: string;
  certOidcIssuerRegexp?: string;
  caRoots?: string;
  caIntermediates?: string;
  /** A trusted_root.json, or `public-good` for the root shipped with the Sigstore client. */
  trustedRoot?: string;
  /** Accept Fulcio-style certificates without a signed certificate timestamp (private deployments without CT). */
  insecureIgnoreSct?: boolean;
}

export async function authoritiesFromFlags(flags: TrustFlags): Promise<Authority[]> {
  const keyFiles = flags.key ?? [];
  const identity = identityFrom(flags);
  if (keyFiles.length === 0 && identity === undefined) {
    throw new BulwarkError('E_USAGE', 'say whom to trust: --key FILE, or --cert-identity/--cert-identity-regexp with --ca-roots or a --trusted-root (or --policy FILE)');
  }
  if (identity !== undefined && flags.caRoots === undefined && keyFiles.length > 0 && flags.trustedRoot === undefined) {
    throw new BulwarkError('E_USAGE', '--cert-identity needs --ca-roots (a private CA) or --trusted-root (Sigstore); with --key alone the key is what is trusted');
  }
  const trust = flags.trustedRoot === undefined ? undefined : await loadTrust(flags.trustedRoot);
  const ctlogThreshold = flags.insecureIgnoreSct === true ? 0 : 1;
  const sigstore = (value: SigstoreTrust): NonNullable<Authority['sigstore']> => ({ trust: value, tlogThreshold: 1, ctlogThreshold, timestampThreshold: 1 });
  const authorities: Authority[] = [];
  if (keyFiles.length > 0) {
    const keys: PublicKeyRef[] = [];
    for (const file of keyFiles) keys.push(...parsePublicKeys((await readBoundedFile(file, 'public key')).toString('utf8'), file));
    const authority: Authority = { name: 'key', keys, identities: [] };
    if (trust !== undefined) authority.sigstore = sigstore(trust);
    authorities.push(checkAuthority(authority));
  }
  if (identity !== undefined && flags.caRoots !== undefined) {
    const roots = await readCertificates(flags.caRoots);
    const intermediates = flags.caIntermediates === undefined ? [] : await readCertificates(flags.caIntermediates);
    // With a trusted root too, its logs must record each signature, and fix the time it is judged at.
    authorities.push(checkAuthority({ name: 'ca', keys: [], ca: { roots, intermediates }, identities: [identity], ...(trust === undefined ? {} : { transparency: trust }) }));
  } else if (identity !== undefined) {
    authorities.push(checkAuthority({ name: 'sigstore', keys: [], identities: [identity], sigstore: sigstore(trust ?? publicGoodTrustedRoot()) }));
  } else if (flags.caRoots !== undefined) {
    throw new BulwarkError('E_USAGE', '--ca-roots needs --cert-identity or --cert-identity-regexp: a CA is trusted for named identities only');
  }
  return authorities;
}

function identityFrom(flags: TrustFlags): IdentityMatcher | undefined {
  if (flags.certIdentity === undefined && flags.certIdentityRegexp === undefined) {
    if (flags.certOidcIssuer !== undefined || flags.certOidcIssuerRegexp !== undefined) throw new BulwarkError('E_USAGE', 'an OIDC issuer alone names no one: add --cert-identity or --cert-identity-regexp');
    return undefined;
  }
  const matcher: IdentityMatcher = {};
  if (flags.certIdentity !== undefined) matcher.subject = flags.certIdentity;
  if (flags.certIdentityRegexp !== undefined) matcher.subjectRegExp = compilePattern(flags.certIdentityRegexp, '--cert-identity-regexp');
  if (flags.certOidcIssuer !== undefined) matcher.issuer = flags.certOidcIssuer;
  if (flags.certOidcIssuerRegexp !== undefined) matcher.issuerRegExp = compilePattern(flags.certOidcIssuerRegexp, '--cert-oidc-issuer-regexp');
  return matcher;
}

async function loadTrust(value: string): Promise<SigstoreTrust> {
  if (value === 'public-good') return publicGoodTrustedRoot();
  return parseTrustedRoot(await readBoundedFile(value, 'trusted root', limits.documentBytes), value);
}

async function readCertificates(file: string): Promise<Certificate[]> {
  return parseCertificatesPem((await readBoundedFile(file, 'certificates')).toString('utf8'), file);
}

/** An image policy from flags: one signature from any of the authorities, and the attestation types asked for. */
export function policyFromFlags(authorities: Authority[], flags: TrustFlags, attestationTypes: readonly string[] = [], requireSignature = true): ImagePolicy {
  const id = createHash('sha256').update(JSON.stringify({ flags, attestationTypes, requireSignature })).digest('hex').slice(0, 16);
  return {
    id: `flags/${id}`,
    authorities,
    signatures: { minimum: requireSignature ? 1 : 0 },
    attestations: attestationTypes.map((type) => ({ name: type, predicateType: predicateTypeUri(type), conditions: [] })),
  };
}
