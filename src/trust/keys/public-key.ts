import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { encodePem, parsePem } from '../encoding/pem.ts';
import { inputError } from '../errors.ts';
import { keyId, schemeOf, spkiDer } from './algorithm.ts';

export interface PublicKeyRef {
  key: KeyObject;
  /** `sha256:` + 16 hex digits of the SPKI digest: how output names a key. */
  id: string;
  /** Where it came from (file name or policy entry), for messages. */
  source: string;
}

/**
 * Reads every public key in a PEM text: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1) or a
 * `CERTIFICATE`, whose key is taken (cosign accepts a certificate wherever it accepts a key).
 */
export function parsePublicKeys(pemText: string, source: string): PublicKeyRef[] {
  const keys: PublicKeyRef[] = [];
  for (const block of parsePem(pemText, source)) {
    let key: KeyObject;
    try {
      if (block.type === 'PUBLIC KEY') key = createPublicKey({ key: block.bytes, format: 'der', type: 'spki' });
      else if (block.type === 'RSA PUBLIC KEY') key = createPublicKey({ key: block.bytes, format: 'der', type: 'pkcs1' });
      else if (block.type === 'CERTIFICATE') key = new X509Certificate(block.bytes).publicKey;
      else continue;
    } catch (error) {
      throw inputError(source, `cannot read the ${block.type}: ${(error as Error).message}`, error);
    }
    schemeOf(key, source);
    keys.push({ key, id: keyId(key), source });
  }
  if (keys.length === 0) throw inputError(source, 'no public key found (expected a PEM "PUBLIC KEY" block)');
  return keys;
}

export function publicKeyPem(key: KeyObject): string {
  return encodePem('PUBLIC KEY', spkiDer(key));
}

export function sameKey(a: KeyObject, b: KeyObject): boolean {
  return a.equals(b);
}
