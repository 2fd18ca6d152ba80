// The PKI of a throwaway control plane: one CA signs every serving and client certificate, so a
// single CA file is all a client (or a webhook registration) has to trust. ECDSA P-256 keys because
// they are generated in milliseconds, where RSA keys would dominate start-up time.
import 'reflect-metadata'; // @peculiar/x509 resolves its internals through a DI container that needs it
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { BulwarkError } from '../src/core/errors.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Long enough for a person's `testenv up` session, short enough to be obviously throwaway. */
const VALIDITY_MS = 7 * 24 * 3600 * 1000;
/** Clocks of the processes and of this one may differ slightly; a certificate valid "from now" could be rejected. */
const BACKDATE_MS = 5 * 60 * 1000;

export interface KeyPairPem {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

export interface CertificateAuthority extends KeyPairPem {
  /** Kept so further certificates (a webhook's serving certificate, another user) can be issued. */
  readonly signingKey: CryptoKey;
  readonly certificate: x509.X509Certificate;
}

export type CertificateUsage = 'server' | 'client';

export interface CertificateRequest {
  commonName: string;
  /** Subject O= values; for a client certificate the API server reads them as the user's groups. */
  organizations?: readonly string[];
  /** Subject alternative names: host names and IP addresses. Required for a serving certificate. */
  hosts?: readonly string[];
  usages: readonly CertificateUsage[];
}

function subjectName(commonName: string, organizations: readonly string[] = []): x509.JsonName {
  const name: x509.JsonName = [{ CN: [commonName] }];
  if (organizations.length > 0) name.push({ O: [...organizations] });
  return name;
}

async function exportPrivateKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + VALIDITY_MS) };
}

export async function createCertificateAuthority(commonName = 'bulwark-testenv-ca'): Promise<CertificateAuthority> {
  const keys = await generateKeyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: subjectName(commonName),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: certificate.toString('pem'), key: await exportPrivateKey(keys.privateKey), signingKey: keys.privateKey, certificate };
}

/** A key pair and certificate signed by `ca`. */
export async function issueCertificate(ca: CertificateAuthority, request: CertificateRequest): Promise<KeyPairPem> {
  if (request.commonName.trim() === '') {
    throw new BulwarkError('E_USAGE', 'certificate request: commonName must not be empty');
  }
  if (request.usages.length === 0) {
    throw new BulwarkError('E_USAGE', `certificate request for "${request.commonName}": name at least one usage (server, client)`);
  }
  const hosts = request.hosts ?? [];
  if (request.usages.includes('server') && hosts.length === 0) {
    throw new BulwarkError('E_USAGE', `certificate request for "${request.commonName}": a serving certificate needs at least one host`);
  }
  const keys = await generateKeyPair();
  const extendedUsages = request.usages.map((usage) => (usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth));
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(extendedUsages),
    await x509.AuthorityKeyIdentifierExtension.create(ca.certificate.publicKey),
  ];
  if (hosts.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(hosts.map((host) => (isIP(host) === 0 ? { type: 'dns', value: host } : { type: 'ip', value: host }))),
    );
  }
  const certificate = await x509.X509CertificateGenerator.create({
    subject: subjectName(request.commonName, request.organizations),
    issuer: ca.certificate.subject,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    ...validity(),
    extensions,
  });
  return { cert: certificate.toString('pem'), key: await exportPrivateKey(keys.privateKey) };
}

/** The key pair the API server signs service-account tokens with (private) and verifies them with (public). */
export async function createServiceAccountKey(): Promise<{ privateKey: string; publicKey: string }> {
  const keys = await generateKeyPair();
  const spki = await webcrypto.subtle.exportKey('spki', keys.publicKey);
  return { privateKey: await exportPrivateKey(keys.privateKey), publicKey: x509.PemConverter.encode(spki, 'PUBLIC KEY') };
}
