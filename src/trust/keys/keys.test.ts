import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { encodePem } from '../encoding/pem.ts';
import { describeScheme, keyHint, schemeOf, signBytes, verifyBytes, type KeyAlgorithm } from './algorithm.ts';
import { generateKeyFiles, openKeyFile } from './file-provider.ts';
import { generateKeyPair } from './generate.ts';
import { passphraseSource } from './passphrase.ts';
import { exportPrivateKey, loadPrivateKey } from './private-key.ts';
import { parsePublicKeys, publicKeyPem } from './public-key.ts';
import { parseSigstoreKeyBody } from './sigstore-key.ts';

const pass = (text: string) => async () => Buffer.from(text);
const noPassphrase = async (): Promise<Uint8Array> => {
  throw new Error('the passphrase was asked for');
};

describe('key algorithms', () => {
  for (const algorithm of ['ecdsa-p256', 'ed25519', 'rsa-pss-3072'] as KeyAlgorithm[]) {
    it(`${algorithm}: signs, verifies, and rejects a changed message or signature`, async () => {
      const { privateKey, publicKey } = await generateKeyPair(algorithm);
      const message = Buffer.from('payload');
      const signature = signBytes(privateKey, message);
      assert.ok(verifyBytes(publicKey, message, signature));
      assert.equal(verifyBytes(publicKey, Buffer.from('payloaD'), signature), false);
      const flipped = Buffer.from(signature);
      flipped[flipped.length - 1]! ^= 1;
      assert.equal(verifyBytes(publicKey, message, flipped), false);
      assert.equal(verifyBytes(publicKey, message, Buffer.alloc(0)), false);
    });
  }

  it('reads the signature scheme from the key, and refuses weak or unknown keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.equal(describeScheme(schemeOf(rsa.publicKey, 'k')), 'RSA PKCS#1 v1.5 2048 SHA256');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    assert.throws(() => schemeOf(small.publicKey, 'small.pub'), /small\.pub: RSA key of 1024 bits is too small/);
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    assert.throws(() => schemeOf(k1.publicKey, 'k1.pub'), /unsupported elliptic curve secp256k1/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    assert.equal(describeScheme(schemeOf(p384.publicKey, 'k')), 'ECDSA P-384 SHA384');
  });

  it('computes the key hint as cosign does: base64 SHA-256 of the DER public key', async () => {
    const { publicKey } = await generateKeyPair('ecdsa-p256');
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const { createHash } = await import('node:crypto');
    assert.equal(keyHint(publicKey), createHash('sha256').update(der).digest('base64'));
  });
});

describe('private keys at rest', () => {
  let pair: Awaited<ReturnType<typeof generateKeyPair>>;
  let sealed: string;
  before(async () => {
    pair = await generateKeyPair('ecdsa-p256');
    sealed = await exportPrivateKey(pair.privateKey, Buffer.from('correct horse'), 'sigstore');
  });

  it('writes the cosign format and reads it back with the passphrase', async () => {
    assert.match(sealed, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    const body = JSON.parse(Buffer.from(sealed.split('\n').slice(1, -2).join(''), 'base64').toString()) as { kdf: { name: string; params: unknown }; cipher: { name: string } };
    assert.equal(body.kdf.name, 'scrypt');
    assert.deepEqual(body.kdf.params, { N: 65536, r: 8, p: 1 });
    assert.equal(body.cipher.name, 'nacl/secretbox');
    const loaded = await loadPrivateKey(sealed, 'cosign.key', pass('correct horse'));
    assert.equal(loaded.storage, 'sigstore');
    assert.ok(loaded.publicKey.equals(pair.publicKey));
  });

  it('also reads the older "ENCRYPTED COSIGN PRIVATE KEY" label', async () => {
    const relabelled = sealed.replaceAll('ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY');
    assert.ok((await loadPrivateKey(relabelled, 'old.key', pass('correct horse'))).publicKey.equals(pair.publicKey));
  });

  it('refuses a wrong passphrase and a modified file with the same message', async () => {
    await assert.rejects(loadPrivateKey(sealed, 'cosign.key', pass('wrong')), /cosign\.key: cannot decrypt the private key: wrong passphrase or a modified key file/);
    const lines = sealed.split('\n');
    const body = JSON.parse(Buffer.from(lines.slice(1, -2).join(''), 'base64').toString()) as { ciphertext: string };
    const bytes = Buffer.from(body.ciphertext, 'base64');
    bytes[20]! ^= 0x01;
    const tampered = encodePem('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from(JSON.stringify({ ...body, ciphertext: bytes.toString('base64') })));
    await assert.rejects(loadPrivateKey(tampered, 'cosign.key', pass('correct horse')), /wrong passphrase or a modified key file/);
  });

  it('refuses scrypt parameters outside the accepted sets before deriving anything', () => {
    const body = Buffer.from(JSON.stringify({ kdf: { name: 'scrypt', params: { N: 1 << 30, r: 8, p: 1 }, salt: 'AAAA' }, cipher: { name: 'nacl/secretbox', nonce: Buffer.alloc(24).toString('base64') }, ciphertext: Buffer.alloc(64).toString('base64') }));
    assert.throws(() => parseSigstoreKeyBody(body, 'evil.key'), /unsupported scrypt parameters N=1073741824/);
  });

  it('reads encrypted PKCS#8 and unencrypted keys; never asks for a passphrase it does not need', async () => {
    const pkcs8 = await exportPrivateKey(pair.privateKey, Buffer.from('pw'), 'pkcs8');
    assert.match(pkcs8, /BEGIN ENCRYPTED PRIVATE KEY/);
    assert.equal((await loadPrivateKey(pkcs8, 'k', pass('pw'))).storage, 'pkcs8-encrypted');
    await assert.rejects(loadPrivateKey(pkcs8, 'k.pem', pass('nope')), /k\.pem: cannot read the private key: wrong passphrase/);
    const plain = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    assert.equal((await loadPrivateKey(plain, 'k', noPassphrase)).storage, 'unencrypted');
    const sec1 = pair.privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    assert.equal((await loadPrivateKey(sec1, 'k', noPassphrase)).storage, 'unencrypted');
  });

  it('refuses legacy OpenSSL encryption, several keys, and no key', async () => {
    const legacy = '-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nYWJj\n-----END EC PRIVATE KEY-----\n';
    await assert.rejects(loadPrivateKey(legacy, 'old.pem', noPassphrase), /legacy OpenSSL-encrypted PEM is not accepted/);
    const plain = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await assert.rejects(loadPrivateKey(plain + plain, 'two.pem', noPassphrase), /2 private keys found/);
    await assert.rejects(loadPrivateKey(publicKeyPem(pair.publicKey), 'pub.pem', noPassphrase), /no private key found/);
  });

  it('never crashes on hostile key files (fuzz)', async () => {
    const body = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc.record({ kdf: fc.record({ name: fc.constantFrom('scrypt', 'pbkdf2'), params: fc.record({ N: fc.constantFrom(32768, 3), r: fc.constant(8), p: fc.constant(1) }), salt: fc.base64String({ maxLength: 8 }) }), cipher: fc.record({ name: fc.constantFrom('nacl/secretbox', 'aes'), nonce: fc.base64String({ maxLength: 40 }) }), ciphertext: fc.base64String({ maxLength: 8 }) }).map((value) => JSON.stringify(value)),
    );
    const label = fc.constantFrom('ENCRYPTED SIGSTORE PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY');
    await fc.assert(
      fc.asyncProperty(label, body, async (type, text) => {
        try {
          await loadPrivateKey(encodePem(type, Buffer.from(text || 'x')), 'fuzz.key', pass('pw'));
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('public keys', () => {
  it('reads SPKI, PKCS#1 and certificate keys, several per file', async () => {
    const ec = await generateKeyPair('ecdsa-p256');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const keys = parsePublicKeys(publicKeyPem(ec.publicKey) + pkcs1, 'keys.pem');
    assert.equal(keys.length, 2);
    assert.match(keys[0]!.id, /^sha256:[0-9a-f]{16}$/);
    assert.throws(() => parsePublicKeys('nothing here', 'empty.pem'), /empty\.pem: no public key found/);
    assert.throws(() => parsePublicKeys(encodePem('PUBLIC KEY', Buffer.from('garbage')), 'bad.pub'), (error: unknown) => error instanceof BulwarkError && /bad\.pub: cannot read the PUBLIC KEY/.test(error.message));
  });

  it('never crashes on garbage DER (fuzz)', () => {
    fc.assert(
      fc.property(fc.constantFrom('PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE'), fc.uint8Array({ minLength: 1, maxLength: 120 }), (type, bytes) => {
        try {
          parsePublicKeys(encodePem(type, bytes), 'fuzz.pub');
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
        }
      }),
    );
  });
});

describe('key files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-keys-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('generates <prefix>.key (0600, encrypted) and <prefix>.pub, and refuses to overwrite', async () => {
    const prefix = join(dir, 'release');
    const options = { algorithm: 'ecdsa-p256' as const, passphrase: passphraseSource({ environment: { BULWARK_PASSPHRASE: 'pw' } }), format: 'pkcs8' as const, overwrite: false };
    const generated = await generateKeyFiles(prefix, options);
    assert.deepEqual(generated.written, [`${prefix}.key`, `${prefix}.pub`]);
    assert.equal(statSync(`${prefix}.key`).mode & 0o777, 0o600);
    assert.match(readFileSync(`${prefix}.key`, 'utf8'), /ENCRYPTED PRIVATE KEY/);
    await assert.rejects(generateKeyFiles(prefix, options), /already exists \(pass --force/);
    const key = await openKeyFile(`${prefix}.key`, pass('pw'));
    assert.ok(key.publicKey.equals(generated.publicKey));
    assert.ok(verifyBytes(generated.publicKey, Buffer.from('m'), await key.sign(Buffer.from('m'))));
    await assert.rejects(openKeyFile(join(dir, 'missing.key'), pass('pw')), /missing\.key: no such file/);
  });

  it('goes through the key provider for --kms URIs, and names the providers when a scheme is unknown', async () => {
    const { providerFor } = await import('./signing-key.ts');
    const { openSigningKey } = await import('./open.ts');
    const { pathToFileURL } = await import('node:url');
    const uri = pathToFileURL(join(dir, 'kms-key.key')).href;
    const { provider, uri: parsed } = providerFor(uri);
    const generated = await provider.generate(parsed, { algorithm: 'ed25519', passphrase: pass('pw'), format: 'pkcs8', overwrite: false });
    assert.deepEqual(generated.written, [join(dir, 'kms-key.key'), join(dir, 'kms-key.pub')]);
    const key = await openSigningKey({ kms: uri }, pass('pw'));
    assert.ok(key.publicKey.equals(generated.publicKey));
    assert.throws(() => providerFor('awskms:///alias/x'), /no key provider for "awskms:\/\/" \(available: file:\/\/\)/);
    await assert.rejects(openSigningKey({ key: 'a', kms: uri }, pass('pw')), /give --key or --kms, not both/);
  });

  it('takes the passphrase from the environment or stdin, and says how when there is none', async () => {
    assert.deepEqual(await passphraseSource({ env: 'MY_PASS', environment: { MY_PASS: 'x' } })(), Buffer.from('x'));
    const { Readable } = await import('node:stream');
    const stdin = Object.assign(Readable.from(['from-stdin\nrest']), { isTTY: false }) as unknown as NodeJS.ReadStream;
    assert.deepEqual(await passphraseSource({ stdin: true, input: stdin })(), Buffer.from('from-stdin'));
    const noTty = Object.assign(Readable.from([]), { isTTY: false }) as unknown as NodeJS.ReadStream;
    await assert.rejects(passphraseSource({ input: noTty, environment: {} })(), /pass --passphrase-stdin or set BULWARK_PASSPHRASE/);
    assert.ok(createPrivateKey);
  });
});
