import { randomBytes, type KeyObject, type webcrypto } from 'node:crypto';

type WebAlgorithm = webcrypto.Algorithm | webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams | webcrypto.RsaPssParams;
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import 'reflect-metadata'; // @peculiar/x509 resolves its internals through a DI container that needs it
import * as x509 from '@peculiar/x509';
import { BulwarkError } from '../../core/index.ts';
import { schemeOf, type KeyAlgorithm, type SignatureScheme } from '../keys/algorithm.ts';
import { readBoundedFile, writeNewFile } from '../keys/file-provider.ts';
import { generateKeyPair } from '../keys/generate.ts';
import { exportPrivateKey, loadPrivateKey, type PassphraseSource, type PrivateKeyFormat } from '../keys/private-key.ts';
import { spkiDer } from '../keys/algorithm.ts';
import { OID, parseCertificatesPem, type Certificate } from './certificate.ts';

// The global Web Crypto object is node:crypto's `webcrypto` (scripts/bundle.ts exports no accessors).
x509.cryptoProvider.set(globalThis.crypto as never);

/** File names inside a CA directory; `chain.pem` is what `--cert-chain` and cosign's `--certificate-chain` take. */
export const caFiles = {
  rootCert: 'root.crt',
  rootKey: 'root.key',
  intermediateCert: 'intermediate.crt',
  intermediateKey: 'intermediate.key',
  chain: 'chain.pem',
} as const;

const DAY = 24 * 60 * 60 * 1000;
/** Back-dating absorbs clock skew between the signer and the verifier. */
const BACKDATE = 5 * 60 * 1000;

export interface CaInitOptions {
  dir: string;
  /** Common-name prefix: "<name> Root CA", "<name> Intermediate CA". */
  name: string;
  organization?: string;
  algorithm: KeyAlgorithm;
  passphrase: PassphraseSource;
  keyFormat: PrivateKeyFormat;
  rootValidityDays: number;
  intermediateValidityDays: number;
  overwrite: boolean;
  now?: Date;
}

export interface CaInitResult {
  root: Certificate;
  intermediate: Certificate;
  written: string[];
}

function webAlgorithms(scheme: SignatureScheme): { importParams: WebAlgorithm; signing: WebAlgorithm } {
  switch (scheme.kind) {
    case 'ecdsa':
      return {
        importParams: { name: 'ECDSA', namedCurve: scheme.curve } as webcrypto.EcKeyImportParams,
        signing: { name: 'ECDSA', hash: scheme.hash.replace('sha', 'SHA-') } as webcrypto.EcdsaParams,
      };
    case 'ed25519':
      return { importParams: { name: 'Ed25519' }, signing: { name: 'Ed25519' } };
    case 'rsa-pss':
      return { importParams: { name: 'RSA-PSS', hash: 'SHA-256' } as webcrypto.RsaHashedImportParams, signing: { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 } as webcrypto.RsaPssParams };
    case 'rsa-pkcs1':
      return { importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.RsaHashedImportParams, signing: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } };
  }
}

function toCryptoKey(key: KeyObject, usage: 'sign' | 'verify'): { key: webcrypto.CryptoKey; signing: WebAlgorithm } {
  const { importParams, signing } = webAlgorithms(schemeOf(key, 'CA key'));
  return { key: key.toCryptoKey(importParams, true, [usage]), signing };
}

export function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  bytes[0]! |= 0x01;
  return bytes.toString('hex');
}

export function nameOf(commonName: string, organization: string | undefined): x509.JsonName {
  const name: x509.JsonName = [{ CN: [commonName] }];
  if (organization !== undefined) name.push({ O: [organization] });
  return name;
}

export async function createCertificate(params: {
  subject: x509.JsonName | x509.Name;
  issuer: x509.JsonName | x509.Name;
  publicKey: KeyObject;
  signingKey: KeyObject;
  issuerPublicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: x509.Extension[];
  /** Hex; random when absent. A precertificate and its final certificate share one. */
  serialNumber?: string;
}): Promise<x509.X509Certificate> {
  const signer = toCryptoKey(params.signingKey, 'sign');
  const extensions = [
    ...params.extensions,
    await x509.SubjectKeyIdentifierExtension.create(spkiDer(params.publicKey)),
    await x509.AuthorityKeyIdentifierExtension.create(spkiDer(params.issuerPublicKey)),
  ];
  return x509.X509CertificateGenerator.create({
    serialNumber: params.serialNumber ?? serialNumber(),
    subject: params.subject,
    issuer: params.issuer,
    notBefore: params.notBefore,
    notAfter: params.notAfter,
    publicKey: spkiDer(params.publicKey),
    signingKey: signer.key as never,
    signingAlgorithm: signer.signing as never,
    extensions,
  });
}

/**
 * Creates a root CA (may sign one level of intermediates) and an intermediate CA (may sign only leaf
 * certificates), with their keys encrypted at rest. The root key is needed again only to replace the
 * intermediate, so it can be moved offline after this.
 */
export async function initCa(options: CaInitOptions): Promise<CaInitResult> {
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - BACKDATE);
  const root = await generateKeyPair(options.algorithm);
  const intermediate = await generateKeyPair(options.algorithm);
  const rootName = nameOf(`${options.name} Root CA`, options.organization);
  const intermediateName = nameOf(`${options.name} Intermediate CA`, options.organization);
  const caUsage = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;
  const rootCert = await createCertificate({
    subject: rootName,
    issuer: rootName,
    publicKey: root.publicKey,
    signingKey: root.privateKey,
    issuerPublicKey: root.publicKey,
    notBefore,
    notAfter: new Date(now.getTime() + options.rootValidityDays * DAY),
    extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(caUsage, true)],
  });
  const intermediateCert = await createCertificate({
    subject: intermediateName,
    issuer: rootName,
    publicKey: intermediate.publicKey,
    signingKey: root.privateKey,
    issuerPublicKey: root.publicKey,
    notBefore,
    notAfter: new Date(Math.min(now.getTime() + options.intermediateValidityDays * DAY, rootCert.notAfter.getTime())),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(caUsage, true),
      new x509.ExtendedKeyUsageExtension([OID.codeSigning], false),
    ],
  });
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const secret = await options.passphrase();
  const rootPem = rootCert.toString('pem') + '\n';
  const intermediatePem = intermediateCert.toString('pem') + '\n';
  const files: Array<[string, string, number]> = [
    [caFiles.rootKey, await exportPrivateKey(root.privateKey, secret, options.keyFormat), 0o600],
    [caFiles.intermediateKey, await exportPrivateKey(intermediate.privateKey, secret, options.keyFormat), 0o600],
    [caFiles.rootCert, rootPem, 0o644],
    [caFiles.intermediateCert, intermediatePem, 0o644],
    [caFiles.chain, intermediatePem + rootPem, 0o644],
  ];
  const written: string[] = [];
  for (const [name, contents, mode] of files) {
    const path = join(options.dir, name);
    await writeNewFile(path, contents, mode, options.overwrite);
    written.push(path);
  }
  return {
    root: parseCertificatesPem(rootPem, caFiles.rootCert)[0]!,
    intermediate: parseCertificatesPem(intermediatePem, caFiles.intermediateCert)[0]!,
    written,
  };
}

export interface IssueOptions {
  dir: string;
  /** An e-mail address (rfc822Name SAN) or a URI (URI SAN). */
  identity: string;
  /** Recorded in Fulcio's issuer extension, so `--certificate-oidc-issuer` checks work with cosign too. */
  oidcIssuer?: string;
  publicKey: KeyObject;
  validityMs: number;
  passphrase: PassphraseSource;
  now?: Date;
}

export interface IssueResult {
  certificatePem: string;
  chainPem: string;
  certificate: Certificate;
}

export type IdentityKind = 'email' | 'uri';

export function identityKind(identity: string): IdentityKind {
  if (/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/.test(identity)) return 'email';
  if (URL.canParse(identity) && /^[a-z][a-z0-9+.-]*:/i.test(identity)) return 'uri';
  throw new BulwarkError('E_USAGE', `identity "${identity}" is neither an e-mail address nor a URI (e.g. https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main)`);
}

/** A UTF8String DER: the encoding Fulcio's v2 issuer extension uses. */
export function utf8String(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > 0xffff) throw new BulwarkError('E_USAGE', 'the OIDC issuer is too long');
  const length = bytes.length < 0x80 ? Buffer.from([bytes.length]) : bytes.length < 0x100 ? Buffer.from([0x81, bytes.length]) : Buffer.from([0x82, bytes.length >> 8, bytes.length & 0xff]);
  return Buffer.concat([Buffer.from([0x0c]), length, bytes]);
}

/**
 * Issues a short-lived code-signing certificate from the intermediate CA: empty subject, the identity
 * as a critical SAN (as Fulcio does), EKU codeSigning, key usage digitalSignature.
 */
export async function issueCertificate(options: IssueOptions): Promise<IssueResult> {
  const now = options.now ?? new Date();
  const [intermediate] = parseCertificatesPem((await readBoundedFile(join(options.dir, caFiles.intermediateCert), 'CA certificate')).toString('utf8'), caFiles.intermediateCert);
  const chainPem = (await readBoundedFile(join(options.dir, caFiles.chain), 'CA chain')).toString('utf8');
  const keyPath = join(options.dir, caFiles.intermediateKey);
  const signer = await loadPrivateKey((await readBoundedFile(keyPath, 'CA key')).toString('utf8'), keyPath, options.passphrase);
  if (!signer.publicKey.equals(intermediate!.publicKey)) {
    throw new BulwarkError('E_INPUT', `${options.dir}: ${caFiles.intermediateKey} does not belong to ${caFiles.intermediateCert}`);
  }
  const kind = identityKind(options.identity);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([OID.codeSigning], false),
    new x509.SubjectAlternativeNameExtension([{ type: kind === 'email' ? 'email' : 'url', value: options.identity }], true),
  ];
  if (options.oidcIssuer !== undefined) {
    extensions.push(new x509.Extension(OID.fulcioIssuerV1, false, Buffer.from(options.oidcIssuer, 'utf8')));
    extensions.push(new x509.Extension(OID.fulcioIssuerV2, false, utf8String(options.oidcIssuer)));
  }
  const notAfter = new Date(Math.min(now.getTime() + options.validityMs, intermediate!.notAfter.getTime()));
  const cert = await createCertificate({
    subject: [],
    issuer: new x509.X509Certificate(intermediate!.der).subjectName,
    publicKey: options.publicKey,
    signingKey: signer.privateKey,
    issuerPublicKey: intermediate!.publicKey,
    notBefore: new Date(now.getTime() - BACKDATE),
    notAfter,
    extensions,
  });
  const certificatePem = cert.toString('pem') + '\n';
  return { certificatePem, chainPem, certificate: parseCertificatesPem(certificatePem, 'issued certificate')[0]! };
}

/**
 * The CA as a Sigstore trusted root (no logs, no timestamp authorities), for verifiers that take
 * their trust anchors that way: `cosign verify --trusted-root` with Sigstore bundles, for instance.
 */
export async function caTrustedRoot(dir: string): Promise<string> {
  const read = async (name: string) => parseCertificatesPem((await readBoundedFile(join(dir, name), 'CA certificate')).toString('utf8'), name);
  const [intermediate] = await read(caFiles.intermediateCert);
  const [root] = await read(caFiles.rootCert);
  const document = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [
      {
        subject: { commonName: root!.subject.replace(/^.*CN=/, '').replace(/,.*$/, '') },
        uri: `urn:bulwark:ca:${root!.fingerprint.slice(0, 16)}`,
        certChain: { certificates: [intermediate!, root!].map((cert) => ({ rawBytes: cert.der.toString('base64') })) },
        validFor: { start: intermediate!.notBefore.toISOString(), end: intermediate!.notAfter.toISOString() },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
