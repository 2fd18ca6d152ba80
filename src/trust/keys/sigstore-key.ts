// The encrypted private-key format that cosign writes and reads ("ENCRYPTED SIGSTORE PRIVATE KEY", and
// "ENCRYPTED COSIGN PRIVATE KEY" from older cosign): a PEM block whose body is JSON naming a scrypt key
// derivation and a NaCl secretbox (XSalsa20-Poly1305) that seals the PKCS#8 DER private key.
import { randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import nacl from 'tweetnacl';
import { decodeBase64, encodeBase64 } from '../encoding/base64.ts';
import { encodePem } from '../encoding/pem.ts';
import { isRecord, parseJson, recordField, stringField } from '../encoding/json.ts';
import { inputError, parseError } from '../errors.ts';

export const SIGSTORE_KEY_PEM = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_KEY_PEM = 'ENCRYPTED COSIGN PRIVATE KEY';

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

// Only these parameter sets are accepted when reading, as cosign does: the parameters travel inside
// the file, and an attacker who can edit it could otherwise make decryption take hours or all memory.
const ACCEPTED: readonly ScryptParams[] = [
  { N: 32768, r: 8, p: 1 },
  { N: 65536, r: 8, p: 1 },
  { N: 131072, r: 8, p: 1 },
];
const WRITE_PARAMS: ScryptParams = { N: 65536, r: 8, p: 1 };
const SALT_BYTES = 32;
const KEY_BYTES = nacl.secretbox.keyLength;
const NONCE_BYTES = nacl.secretbox.nonceLength;

function deriveKey(passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(passphrase, salt, KEY_BYTES, options, (error, key) => (error === null ? resolve(key) : reject(error)));
  });
}

/** Seals a PKCS#8 DER private key in the format cosign reads, as PEM text. */
export async function encryptSigstoreKey(pkcs8Der: Uint8Array, passphrase: Uint8Array): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const key = await deriveKey(passphrase, salt, WRITE_PARAMS);
  const ciphertext = nacl.secretbox(new Uint8Array(pkcs8Der), new Uint8Array(nonce), new Uint8Array(key));
  key.fill(0);
  const document = {
    kdf: { name: 'scrypt', params: WRITE_PARAMS, salt: encodeBase64(salt) },
    cipher: { name: 'nacl/secretbox', nonce: encodeBase64(nonce) },
    ciphertext: encodeBase64(ciphertext),
  };
  return encodePem(SIGSTORE_KEY_PEM, Buffer.from(JSON.stringify(document)));
}

interface SealedKey {
  params: ScryptParams;
  salt: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
}

/** Reads the JSON inside the PEM block; every field is checked before any expensive work. */
export function parseSigstoreKeyBody(body: Uint8Array, what: string): SealedKey {
  const document = parseJson(body, what, 64 * 1024);
  if (!isRecord(document)) throw parseError(what, 'the encrypted key must be a JSON object');
  const kdf = recordField(document, 'kdf', what);
  const cipher = recordField(document, 'cipher', what);
  if (stringField(kdf, 'name', `${what}: kdf`) !== 'scrypt') throw inputError(what, `unsupported key derivation "${String(kdf.name)}" (only scrypt)`);
  if (stringField(cipher, 'name', `${what}: cipher`) !== 'nacl/secretbox') {
    throw inputError(what, `unsupported cipher "${String(cipher.name)}" (only nacl/secretbox)`);
  }
  const params = recordField(kdf, 'params', `${what}: kdf`);
  const N = params.N;
  const r = params.r;
  const p = params.p;
  const accepted = ACCEPTED.find((candidate) => candidate.N === N && candidate.r === r && candidate.p === p);
  if (accepted === undefined) throw inputError(what, `unsupported scrypt parameters N=${String(N)} r=${String(r)} p=${String(p)}`);
  const salt = decodeBase64(stringField(kdf, 'salt', `${what}: kdf`), `${what}: kdf.salt`);
  const nonce = decodeBase64(stringField(cipher, 'nonce', `${what}: cipher`), `${what}: cipher.nonce`);
  if (nonce.length !== NONCE_BYTES) throw parseError(what, `the nonce must be ${NONCE_BYTES} bytes, not ${nonce.length}`);
  if (salt.length === 0 || salt.length > 1024) throw parseError(what, `the salt length ${salt.length} is not plausible`);
  const ciphertext = decodeBase64(stringField(document, 'ciphertext', what), `${what}: ciphertext`);
  if (ciphertext.length <= nacl.secretbox.overheadLength) throw parseError(what, 'the ciphertext is too short');
  return { params: accepted, salt, nonce, ciphertext };
}

/** Opens a sealed key; a wrong passphrase and a tampered file are the same error, on purpose. */
export async function decryptSigstoreKey(body: Uint8Array, passphrase: Uint8Array, what: string): Promise<Buffer> {
  const sealed = parseSigstoreKeyBody(body, what);
  const key = await deriveKey(passphrase, sealed.salt, sealed.params);
  const opened = nacl.secretbox.open(new Uint8Array(sealed.ciphertext), new Uint8Array(sealed.nonce), new Uint8Array(key));
  key.fill(0);
  if (opened === null) throw inputError(what, 'cannot decrypt the private key: wrong passphrase or a modified key file');
  return Buffer.from(opened);
}
