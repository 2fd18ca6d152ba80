import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { encodePem, parsePem } from '../encoding/pem.ts';
import { BulwarkError } from '../../core/index.ts';
import { inputError } from '../errors.ts';
import { schemeOf } from './algorithm.ts';
import { COSIGN_KEY_PEM, SIGSTORE_KEY_PEM, decryptSigstoreKey, encryptSigstoreKey } from './sigstore-key.ts';

/** Asked only when the key turns out to be encrypted, so unencrypted keys never prompt. */
export type PassphraseSource = () => Promise<Uint8Array>;

/** `sigstore`: scrypt + secretbox, what cosign reads. `pkcs8`: standard encrypted PKCS#8 (PBES2, AES-256-CBC). */
export type PrivateKeyFormat = 'sigstore' | 'pkcs8';

export interface LoadedPrivateKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** How the key was stored: a signer may warn about keys kept unencrypted at rest. */
  storage: 'sigstore' | 'pkcs8-encrypted' | 'unencrypted';
}

const UNENCRYPTED_TYPES = new Set(['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY']);

/** Reads a private key in any format cosign or OpenSSL writes, decrypting it with the passphrase. */
export async function loadPrivateKey(pemText: string, what: string, passphrase: PassphraseSource): Promise<LoadedPrivateKey> {
  const blocks = parsePem(pemText, what).filter((block) => block.type.includes('PRIVATE KEY'));
  if (blocks.length === 0) throw inputError(what, 'no private key found (expected a PEM block such as "ENCRYPTED SIGSTORE PRIVATE KEY")');
  if (blocks.length > 1) throw inputError(what, `${blocks.length} private keys found; a key file holds exactly one`);
  const block = blocks[0]!;
  if (block.headers['Proc-Type'] !== undefined) {
    throw inputError(what, 'legacy OpenSSL-encrypted PEM is not accepted (its key derivation is weak); convert it to PKCS#8 with `openssl pkcs8 -topk8`');
  }
  let privateKey: KeyObject;
  let storage: LoadedPrivateKey['storage'];
  try {
    if (block.type === SIGSTORE_KEY_PEM || block.type === COSIGN_KEY_PEM) {
      const der = await decryptSigstoreKey(block.bytes, await passphrase(), what);
      privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      der.fill(0);
      storage = 'sigstore';
    } else if (block.type === 'ENCRYPTED PRIVATE KEY') {
      const secret = await passphrase();
      privateKey = createPrivateKey({ key: encodePem(block.type, block.bytes), format: 'pem', passphrase: Buffer.from(secret) });
      storage = 'pkcs8-encrypted';
    } else if (UNENCRYPTED_TYPES.has(block.type)) {
      privateKey = createPrivateKey({ key: encodePem(block.type, block.bytes), format: 'pem' });
      storage = 'unencrypted';
    } else {
      throw inputError(what, `unsupported PEM block "${block.type}"`);
    }
  } catch (error) {
    if (error instanceof BulwarkError) throw error;
    const reason = (error as Error).message.includes('bad decrypt') ? 'wrong passphrase or a modified key file' : (error as Error).message;
    throw inputError(what, `cannot read the private key: ${reason}`, error);
  }
  schemeOf(privateKey, what);
  return { privateKey, publicKey: createPublicKey(privateKey), storage };
}

/** Serialises a private key encrypted at rest. An empty passphrase is allowed, as cosign allows it. */
export async function exportPrivateKey(privateKey: KeyObject, passphrase: Uint8Array, format: PrivateKeyFormat): Promise<string> {
  if (format === 'sigstore') {
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    try {
      return await encryptSigstoreKey(der, passphrase);
    } finally {
      der.fill(0);
    }
  }
  return privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: Buffer.from(passphrase) }) as string;
}
