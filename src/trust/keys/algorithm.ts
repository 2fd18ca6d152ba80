import { constants, createHash, sign, verify, type KeyObject } from 'node:crypto';
import { inputError } from '../errors.ts';

/** Algorithms Bulwark generates keys for. */
export type KeyAlgorithm = 'ecdsa-p256' | 'ed25519' | 'rsa-pss-3072';

export const keyAlgorithms: readonly KeyAlgorithm[] = ['ecdsa-p256', 'ed25519', 'rsa-pss-3072'];

/**
 * How a key signs, read from the key itself. Bulwark verifies more than it generates: cosign users
 * hold P-384/P-521 and RSA PKCS#1 v1.5 keys too.
 */
export type SignatureScheme =
  | { kind: 'ecdsa'; curve: 'P-256' | 'P-384' | 'P-521'; hash: 'sha256' | 'sha384' | 'sha512' }
  | { kind: 'ed25519' }
  | { kind: 'rsa-pss'; bits: number; hash: 'sha256' }
  | { kind: 'rsa-pkcs1'; bits: number; hash: 'sha256' };

const CURVES: Record<string, { curve: 'P-256' | 'P-384' | 'P-521'; hash: 'sha256' | 'sha384' | 'sha512' }> = {
  prime256v1: { curve: 'P-256', hash: 'sha256' },
  secp384r1: { curve: 'P-384', hash: 'sha384' },
  secp521r1: { curve: 'P-521', hash: 'sha512' },
};

/** RSA below this size is refused: it no longer offers the security the rest of the chain assumes. */
const MIN_RSA_BITS = 2048;

export function schemeOf(key: KeyObject, what: string): SignatureScheme {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = CURVES[details.namedCurve ?? ''];
      if (curve === undefined) throw inputError(what, `unsupported elliptic curve ${details.namedCurve ?? '(unknown)'}; use P-256, P-384 or P-521`);
      return { kind: 'ecdsa', ...curve };
    }
    case 'ed25519':
      return { kind: 'ed25519' };
    case 'rsa-pss':
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) throw inputError(what, `RSA key of ${bits} bits is too small (at least ${MIN_RSA_BITS})`);
      return key.asymmetricKeyType === 'rsa-pss' ? { kind: 'rsa-pss', bits, hash: 'sha256' } : { kind: 'rsa-pkcs1', bits, hash: 'sha256' };
    }
    default:
      throw inputError(what, `unsupported key type ${key.asymmetricKeyType ?? '(symmetric)'}; use ECDSA, Ed25519 or RSA`);
  }
}

export function describeScheme(scheme: SignatureScheme): string {
  switch (scheme.kind) {
    case 'ecdsa':
      return `ECDSA ${scheme.curve} ${scheme.hash.toUpperCase()}`;
    case 'ed25519':
      return 'Ed25519';
    case 'rsa-pss':
      return `RSA-PSS ${scheme.bits} SHA256`;
    case 'rsa-pkcs1':
      return `RSA PKCS#1 v1.5 ${scheme.bits} SHA256`;
  }
}

/** The Sigstore `PublicKeyDetails` name for a scheme, as bundles and trusted roots spell it. */
export function sigstoreKeyDetails(scheme: SignatureScheme): string {
  switch (scheme.kind) {
    case 'ecdsa':
      return `PKIX_ECDSA_${scheme.curve.replace('-', '')}_${scheme.hash.toUpperCase().replace('SHA', 'SHA_')}`;
    case 'ed25519':
      return 'PKIX_ED25519';
    case 'rsa-pss':
      return `PKIX_RSA_PSS_${scheme.bits}_SHA256`;
    case 'rsa-pkcs1':
      return `PKIX_RSA_PKCS1V15_${scheme.bits}_SHA256`;
  }
}

// RSA-PSS salt equals the hash length, as Go's crypto/rsa (PSSSaltLengthEqualsHash) and Sigstore expect.
const PSS_SALT = 32;

function options(key: KeyObject, scheme: SignatureScheme): { algorithm: string | null; key: Parameters<typeof sign>[2] } {
  switch (scheme.kind) {
    case 'ecdsa':
      return { algorithm: scheme.hash, key: { key, dsaEncoding: 'der' } };
    case 'ed25519':
      return { algorithm: null, key };
    case 'rsa-pss':
      return { algorithm: 'sha256', key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT } };
    case 'rsa-pkcs1':
      return { algorithm: 'sha256', key: { key, padding: constants.RSA_PKCS1_PADDING } };
  }
}

export function signBytes(privateKey: KeyObject, data: Uint8Array, what = 'private key'): Buffer {
  const { algorithm, key } = options(privateKey, schemeOf(privateKey, what));
  return sign(algorithm, data, key);
}

/** `false` for a wrong signature or one that is not even well-formed for the key; never throws on it. */
export function verifyBytes(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array, what = 'public key'): boolean {
  const { algorithm, key } = options(publicKey, schemeOf(publicKey, what));
  try {
    return verify(algorithm, data, key as Parameters<typeof verify>[2], signature);
  } catch {
    return false;
  }
}

/** The DER SubjectPublicKeyInfo of a key: what key ids and hints are computed over. */
export function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** Sigstore's key hint: base64 of SHA-256 over the DER public key, as cosign and sigstore-go compute it. */
export function keyHint(publicKey: KeyObject): string {
  return createHash('sha256').update(spkiDer(publicKey)).digest('base64');
}

/** A short, stable name for a key in output: `sha256:` and the first 16 hex digits of the SPKI digest. */
export function keyId(publicKey: KeyObject): string {
  return `sha256:${createHash('sha256').update(spkiDer(publicKey)).digest('hex').slice(0, 16)}`;
}
