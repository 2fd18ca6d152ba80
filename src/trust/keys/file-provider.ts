import type { KeyObject } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BulwarkError } from '../../core/index.ts';
import { trustError, tooLarge } from '../errors.ts';
import { limits } from '../limits.ts';
import { schemeOf, signBytes } from './algorithm.ts';
import { generateKeyPair } from './generate.ts';
import { exportPrivateKey, loadPrivateKey, type PassphraseSource } from './private-key.ts';
import { publicKeyPem } from './public-key.ts';
import { registerKeyProvider, type GenerateOptions, type GeneratedKey, type KeyProvider, type SigningKey } from './signing-key.ts';

/** Reads a small file with a size bound, with an error naming the file. */
export async function readBoundedFile(path: string, what: string, maxBytes: number = limits.pemBytes): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw trustError('E_IO', `${what} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, error);
  }
  if (size > maxBytes) throw tooLarge(`${what} ${path}`, size, maxBytes);
  return readFile(path);
}

/** Writes a new file; refuses to replace one unless asked, so a key is never lost to a typo. */
export async function writeNewFile(path: string, contents: string | Uint8Array, mode: number, overwrite: boolean): Promise<void> {
  const flags = overwrite ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  let handle;
  try {
    handle = await open(path, flags, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BulwarkError('E_USAGE', `${path} already exists (pass --force to replace it)`);
    throw trustError('E_IO', `cannot write ${path}: ${(error as Error).message}`, error);
  }
  try {
    await handle.writeFile(contents);
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

/** A key held in a PEM file on disk, signing in this process. */
export class FileSigningKey implements SigningKey {
  readonly publicKey: KeyObject;
  readonly scheme;
  readonly location: string;
  readonly #privateKey: KeyObject;

  constructor(privateKey: KeyObject, publicKey: KeyObject, location: string) {
    this.#privateKey = privateKey;
    this.publicKey = publicKey;
    this.scheme = schemeOf(privateKey, location);
    this.location = location;
  }

  async sign(data: Uint8Array): Promise<Buffer> {
    return signBytes(this.#privateKey, data, this.location);
  }
}

export async function openKeyFile(path: string, passphrase: PassphraseSource): Promise<FileSigningKey> {
  const text = (await readBoundedFile(path, 'private key')).toString('utf8');
  const loaded = await loadPrivateKey(text, path, passphrase);
  return new FileSigningKey(loaded.privateKey, loaded.publicKey, path);
}

/** Writes `<prefix>.key` (encrypted, mode 0600) and `<prefix>.pub`, the names cosign uses. */
export async function generateKeyFiles(prefix: string, options: GenerateOptions): Promise<GeneratedKey> {
  const pair = await generateKeyPair(options.algorithm);
  const keyPath = `${prefix}.key`;
  const pubPath = `${prefix}.pub`;
  const pem = await exportPrivateKey(pair.privateKey, await options.passphrase(), options.format);
  await writeNewFile(keyPath, pem, 0o600, options.overwrite);
  await writeNewFile(pubPath, publicKeyPem(pair.publicKey), 0o644, options.overwrite);
  return { publicKey: pair.publicKey, written: [keyPath, pubPath] };
}

export const fileKeyProvider: KeyProvider = {
  scheme: 'file',
  generate(uri: URL, options: GenerateOptions): Promise<GeneratedKey> {
    return generateKeyFiles(fileURLToPath(uri).replace(/\.key$/, ''), options);
  },
  open(uri: URL, passphrase: PassphraseSource): Promise<SigningKey> {
    return openKeyFile(fileURLToPath(uri), passphrase);
  },
};

registerKeyProvider(fileKeyProvider);
