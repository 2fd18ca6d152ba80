import { generateKeyPair as generateKeyPairCallback, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm } from './algorithm.ts';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh key pair. RSA-PSS keys carry their PSS parameters (SHA-256, MGF1-SHA-256, 32-byte salt). */
export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject): void => (error === null ? resolve({ publicKey, privateKey }) : reject(error));
    switch (algorithm) {
      case 'ecdsa-p256':
        return generateKeyPairCallback('ec', { namedCurve: 'P-256' }, done);
      case 'ed25519':
        return generateKeyPairCallback('ed25519', {}, done);
      case 'rsa-pss-3072':
        // @types/node declares saltLength as a string; Node wants the number of bytes.
        return generateKeyPairCallback('rsa-pss', { modulusLength: 3072, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 as unknown as string }, done);
    }
  });
}
